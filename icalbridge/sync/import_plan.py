"""Work out what an import will do, outside any transaction, and what it was based on.

Everything that grows with the feed (echoes, horizons, the reconcile plan, the double
bookings it will leave) is worked out here from a plain read of the unit's bookings, so
that the write that follows is short: a 9.5 MB feed once kept the write lock for 25
minutes while all of this ran inside it. ``bookings_version`` fingerprints what the plan
read; the apply re-reads it under the lock and plans again if anything moved meanwhile.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection

from icalbridge.core import bookings as core
from icalbridge.core.conflicts import Conflict, find_conflicts
from icalbridge.core.echoes import judge_echoes
from icalbridge.core.exports import ends_before
from icalbridge.core.feed import Feed, FeedEvent
from icalbridge.core.horizons import find_horizon_keys
from icalbridge.core.reconcile import Plan, plan_import
from icalbridge.hub.active_bookings import active_core_bookings
from icalbridge.hub.models import Booking, Channel
from icalbridge.hub.sql_names import column_name, table_name
from icalbridge.sync.booking_changes import PlanRows, rows_for_plan, served_snapshots
from icalbridge.sync.conflict_tracking import blocks_may_be_reservations_for


@dataclass(frozen=True)
class PreparedImport:
    """A plan and everything its apply needs, with the version of the bookings it read."""

    plan: Plan
    echo_keys: frozenset[str]
    horizon_keys: frozenset[str]
    rows: PlanRows
    conflicts: tuple[Conflict, ...]
    version: tuple[Any, ...]
    # The bookings the plan adds, changes or cancels, as they were and as they will be.
    touched: tuple[core.Booking, ...] = ()


def echo_detection() -> bool:
    """Tell whether echoes are detected (off only for the simulation's control run)."""
    return bool(getattr(settings, "ICALBRIDGE_ECHO_DETECTION", True))


def bookings_version(channel: Channel) -> tuple[Any, ...]:
    """Return a fingerprint of the unit's bookings and the channel's served history.

    Any booking added, changed (``updated_at``, ``sequence``) or cancelled on the unit, or
    a new fetch of our export by the channel's platform, gives another value. The values
    are the database's own (compared, never shown); the last one is the served history as
    stored (``served_history_of`` reads it).
    """
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(connection.vendor), [channel.pk, channel.unit_id])
        row = cursor.fetchone()
    return tuple(row)


def served_history_of(version: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Return the channel's served history as ``bookings_version`` read it."""
    stored = version[-1]
    # Text as the database keeps it (the JSON field decodes it the same way).
    history = json.loads(stored) if isinstance(stored, str) else stored
    return history or []


@cache
def _version_sql(vendor: str) -> str:
    """Return the version's one statement, built once: each changed import reads the
    version twice, and building the ORM's two statements cost more than running them."""
    booking = {name: column_name(Booking, name) for name in _VERSION_COLUMNS}
    return (
        f"SELECT COUNT(*),"
        f" SUM(CASE WHEN {booking['cancelled_at']} IS NULL THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {booking['is_echo']} THEN 1 ELSE 0 END),"
        f" MAX({booking['id']}), MAX({booking['updated_at']}), SUM({booking['sequence']}),"
        f" (SELECT {column_name(Channel, 'served_history')} FROM {table_name(Channel)}"
        f" WHERE {column_name(Channel, 'id')} = %s)"
        f" FROM {table_name(Booking)} WHERE {booking['unit']} = %s"
    )


_VERSION_COLUMNS = ("id", "unit", "cancelled_at", "is_echo", "updated_at", "sequence")


def prepare_import(channel: Channel, feed: Feed, *, today: date, confirmed: bool) -> PreparedImport:
    """Plan a channel's import from its feed and the unit's bookings as they are now."""
    unit = channel.unit
    version = bookings_version(channel)
    # The served history is read again from the row the version saw.
    channel.served_history = served_history_of(version)
    bookings = active_core_bookings(unit)
    stored = [b for b in bookings if b.origin == channel.key]
    horizons = find_horizon_keys(
        feed.events, today=today, platform_id=feed.platform or channel.platform
    )
    judged = judge_echoes(
        feed.events,
        served_snapshots(channel),
        stored,
        unit.stay_times,
        keep=horizons,
        echo_detection=echo_detection(),
    )
    plan = plan_import(
        judged.events,
        stored,
        today=today,
        feed_is_calendar=feed.is_calendar,
        feed_is_truncated=feed.is_truncated,
        confirmed=confirmed,
        stay=unit.stay_times,
        echo_keys=judged.echo_keys,
        horizon_keys=horizons,
    )
    new_ids = tuple(uuid.uuid4() for _ in plan.add)
    conflicts: tuple[Conflict, ...] = ()
    touched: tuple[core.Booking, ...] = ()
    if plan.writes_now and not plan.is_noop:
        after = bookings_after(bookings, plan, channel.key, new_ids, judged.echo_keys, horizons)
        current = [b for b in after if not ends_before(b.span, today)]
        conflicts = tuple(
            find_conflicts(current, unit.stay_times, blocks_may_be_reservations_for(unit))
        )
        written = {c.booking.id for c in plan.change} | {str(i) for i in new_ids}
        touched = (
            *(c.booking for c in plan.change),
            *plan.cancel,
            *(b for b in after if b.id in written),
        )
    rows = (
        rows_for_plan(plan, channel, judged.echo_keys, horizons, new_ids)
        if plan.writes_now
        else PlanRows([], [], [], [])
    )
    return PreparedImport(plan, judged.echo_keys, horizons, rows, conflicts, version, touched)


def bookings_after(
    bookings: list[core.Booking],
    plan: Plan,
    origin: str,
    new_ids: tuple[uuid.UUID, ...],
    echo_keys: frozenset[str],
    horizon_keys: frozenset[str],
) -> list[core.Booking]:
    """Return the unit's active bookings as they will be once the plan is applied."""
    cancelled = {b.id for b in plan.cancel}
    changed = {c.booking.id: c for c in plan.change}
    after = []
    for booking in bookings:
        if booking.id in cancelled:
            continue
        change = changed.get(booking.id)
        if change is not None:
            booking = replace(
                booking,
                **_fields_of(change.event),
                is_echo=change.is_echo,
                is_horizon=change.is_horizon,
            )
        after.append(booking)
    for new_id, event in zip(new_ids, plan.add, strict=True):
        after.append(
            core.Booking(
                id=str(new_id),
                origin=origin,
                **_fields_of(event),
                is_echo=event.key in echo_keys,
                is_horizon=event.key in horizon_keys,
            )
        )
    return after


def _fields_of(event: FeedEvent) -> dict[str, Any]:
    return {
        "span": event.span,
        "kind": event.kind,
        "summary": event.summary,
        "is_block": event.is_block,
        "remote_uid": event.key,
    }
