"""Apply a reconcile plan to stored bookings, keeping the history of moves."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import F, Field, Model, OuterRef, Q, QuerySet

from icalbridge import clock
from icalbridge.core.bookings import Kind
from icalbridge.core.echoes import still_echoes
from icalbridge.core.feed import FeedEvent
from icalbridge.core.reconcile import Plan
from icalbridge.core.spans import Nights, Span
from icalbridge.hub.models import Booking, BookingMove, Channel


def span_text(span: Span) -> tuple[str, str]:
    return span.start.isoformat(), span.end.isoformat()


@dataclass(frozen=True)
class PlanRows:
    """A plan turned into the SQL parameters that write it, ready before any lock is taken.

    Turning 20,000 bookings into rows costs seconds of Python (the ORM's per-object work);
    doing it first leaves the transaction only the database's own work.
    """

    inserts: list[tuple[Any, ...]]
    updates: list[tuple[Any, ...]]
    moves: list[tuple[Any, ...]]
    cancels: list[str]


_INSERTED = [f for f in Booking._meta.concrete_fields if not f.primary_key]
_MOVE_FIELDS = [f for f in BookingMove._meta.concrete_fields if not f.primary_key]
_CHANGED = ["all_day", "start_date", "end_date", "start_at", "end_at", "kind", "summary"]
_CHANGED += ["is_block", "remote_uid", "is_echo", "is_horizon", "updated_at"]
_CHANGED_FIELDS = [f for f in Booking._meta.concrete_fields if f.name in _CHANGED]
# Rows per statement for lookups: far under SQLite's and PostgreSQL's parameter limits.
BATCH = 500


def rows_for_plan(
    plan: Plan,
    channel: Channel,
    echo_keys: frozenset[str],
    horizon_keys: frozenset[str],
    new_ids: Sequence[uuid.UUID],
) -> PlanRows:
    """Turn a plan into rows; the bookings it changes are looked up by their public id."""
    inserts = [
        _row(_new_booking(event, channel, public_id, echo_keys, horizon_keys), _INSERTED)
        for public_id, event in zip(new_ids, plan.add, strict=True)
    ]
    pks: dict[str, int] = {}
    for batch in _batches([c.booking.id for c in plan.change]):
        found = Booking.objects.filter(public_id__in=batch).values_list("public_id", "pk")
        pks.update((str(public_id), pk) for public_id, pk in found)
    updates, moves = [], []
    for change in plan.change:
        pk = pks[change.booking.id]
        if change.moved:
            old, new = span_text(change.booking.span), span_text(change.event.span)
            move = BookingMove(
                booking_id=pk, old_start=old[0], old_end=old[1], new_start=new[0], new_end=new[1]
            )
            moves.append(_row(move, _MOVE_FIELDS))
        row = Booking(
            pk=pk,
            kind=change.event.kind.value,
            summary=change.event.summary,
            is_block=change.event.is_block,
            remote_uid=change.event.key,
            is_echo=change.is_echo,
            is_horizon=change.is_horizon,
        )
        row.set_span(change.event.span)
        updates.append((*_row(row, _CHANGED_FIELDS, add=False), pk))
    return PlanRows(inserts, updates, moves, [b.id for b in plan.cancel])


def write_plan_rows(rows: PlanRows, now: datetime) -> None:
    """Add, change and cancel the channel's bookings, in the caller's transaction."""
    with connection.cursor() as cursor:
        if rows.inserts:
            cursor.executemany(_insert_sql(Booking, _INSERTED), rows.inserts)
        if rows.updates:
            assignments = ", ".join(f"{_name(f.column)} = %s" for f in _CHANGED_FIELDS)
            sequence = _name("sequence")
            cursor.executemany(
                f"UPDATE {_name(Booking._meta.db_table)} SET {assignments},"
                f" {sequence} = {sequence} + 1 WHERE {_name('id')} = %s",
                rows.updates,
            )
        if rows.moves:
            cursor.executemany(_insert_sql(BookingMove, _MOVE_FIELDS), rows.moves)
    for batch in _batches(rows.cancels):
        Booking.objects.filter(public_id__in=batch).update(
            cancelled_at=now, sequence=F("sequence") + 1, updated_at=now
        )


def _row(obj: Model, fields: list[Field[Any, Any]], *, add: bool = True) -> tuple[Any, ...]:
    # pre_save fills auto_now fields as save() would; get_db_prep_save adapts each value
    # to the database in use (a UUID is text on SQLite, a uuid on PostgreSQL).
    return tuple(f.get_db_prep_save(f.pre_save(obj, add), connection) for f in fields)


def _insert_sql(model: type[Model], fields: list[Field[Any, Any]]) -> str:
    columns = ", ".join(_name(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {_name(model._meta.db_table)} ({columns}) VALUES ({values})"


def _name(identifier: str) -> str:
    return connection.ops.quote_name(identifier)


def _batches(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _new_booking(
    event: FeedEvent,
    channel: Channel,
    public_id: uuid.UUID,
    echo_keys: frozenset[str],
    horizon_keys: frozenset[str],
) -> Booking:
    booking = Booking(
        public_id=public_id,
        unit_id=channel.unit_id,
        kind=event.kind.value,
        summary=event.summary,
        origin=channel,
        remote_uid=event.key,
        is_block=event.is_block,
        is_echo=event.key in echo_keys,
        is_horizon=event.key in horizon_keys,
    )
    booking.set_span(event.span)
    return booking


def served_snapshots(channel: Channel) -> list[list[Nights]]:
    """Return what the channel's platform received at its last fetches, newest first."""
    snapshots = []
    for entry in channel.served_history or []:
        snapshots.append(
            [
                Nights(date.fromisoformat(s), date.fromisoformat(e))
                for s, e in entry.get("nights", [])
            ]
        )
    return snapshots


def stored_echoes(origin: Channel | OuterRef) -> QuerySet[Booking]:
    """Return the channel's live blocks flagged as echoes (``origin`` may be an OuterRef)."""
    return Booking.objects.filter(
        Q(origin=origin), cancelled_at__isnull=True, is_block=True, is_echo=True
    )


def refresh_echo_flags(channel: Channel, *, echo_detection: bool = True) -> bool:
    """Free the channel's echoes it no longer mirrors; return whether any flipped.

    Runs on unchanged feeds too: a block stops being an echo once the platform has fetched
    our feed twice without its nights, even if its own feed did not change. A real block
    never turns into an echo here: its bytes did not change, so it was there before we
    served its nights (``core.echoes.blocks_on_own_nights``).
    """
    rows = list(stored_echoes(channel).order_by("id"))
    if not rows:
        return False  # no echo to judge, no served history to read
    blocks = [
        FeedEvent(
            uid=row.remote_uid,
            span=row.span,
            kind=Kind(row.kind),
            summary=row.summary,
            is_block=row.is_block,
        )
        for row in rows
    ]
    still = still_echoes(
        blocks, served_snapshots(channel), channel.unit.stay_times, echo_detection=echo_detection
    )
    freed = [row.pk for row, echo in zip(rows, still, strict=True) if not echo]
    if freed:
        Booking.objects.filter(pk__in=freed).update(is_echo=False, updated_at=clock.now())
    return bool(freed)
