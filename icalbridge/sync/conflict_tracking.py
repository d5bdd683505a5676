"""Record double bookings when they appear, resolve them when they end (docs/domain.md rule 9)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from icalbridge.core import conflicts as core
from icalbridge.core.conflicts import find_conflicts
from icalbridge.core.platforms import platform_by_id
from icalbridge.hub.active_bookings import active_core_bookings
from icalbridge.hub.models import Booking, Channel, Conflict, ConflictState, Unit


def blocks_may_be_reservations_for(unit: Unit) -> Callable[[str], bool]:
    """Return whether a channel's blocks may hide sold nights (Booking.com), by origin."""
    found = Channel.objects.filter(unit=unit).values_list("pk", "platform")
    platforms = {str(pk): platform for pk, platform in found}

    def blocks_may_be_reservations(origin: str) -> bool:
        platform = platforms.get(origin)
        if platform is None:
            return False
        try:
            return platform_by_id(platform).blocks_may_be_reservations
        except KeyError:
            return False

    return blocks_may_be_reservations


def update_unit_conflicts(unit: Unit, now: datetime) -> list[Conflict]:
    """Open a Conflict for each new double booking, resolve the ended ones; return the new ones.

    Stays over before today are history (docs/domain.md rule 6): they are not compared, and a
    conflict that is wholly past is left as it was, not resolved.
    """
    today = now.astimezone(unit.zone).date()
    found = find_conflicts(
        active_core_bookings(unit, ending_from=today),
        unit.stay_times,
        blocks_may_be_reservations_for(unit),
    )
    return record_unit_conflicts(unit, now, found)


def record_unit_conflicts(
    unit: Unit, now: datetime, found: Sequence[core.Conflict]
) -> list[Conflict]:
    """Make the unit's open conflicts those ``found`` (``update_unit_conflicts``)."""
    today = now.astimezone(unit.zone).date()
    ids = {c.first_id for c in found} | {c.second_id for c in found}
    pks = dict(Booking.objects.filter(public_id__in=ids).values_list("public_id", "pk"))
    pk_of = {str(k): v for k, v in pks.items()}
    wanted = {(pk_of[c.first_id], pk_of[c.second_id]): c for c in found}
    open_rows = {
        (row.first_id, row.second_id): row
        for row in Conflict.objects.filter(unit=unit, state=ConflictState.OPEN)
    }
    created = []
    for pair, conflict in wanted.items():
        row = open_rows.get(pair)
        start, end = _as_date(conflict.start), _as_date(conflict.end)
        if row is None:
            created.append(
                Conflict.objects.create(
                    unit=unit,
                    first_id=pair[0],
                    second_id=pair[1],
                    start=start,
                    end=end,
                    detected_at=now,
                )
            )
        elif (row.start, row.end) != (start, end):
            row.start, row.end = start, end
            row.save(update_fields=["start", "end"])
    for pair, row in open_rows.items():
        if pair not in wanted and row.end >= today:
            row.state = ConflictState.RESOLVED
            row.resolved_at = now
            row.resolution = _resolution(row)
            row.save(update_fields=["state", "resolved_at", "resolution"])
    return created


def _resolution(row: Conflict) -> str:
    first, second = Booking.objects.get(pk=row.first_id), Booking.objects.get(pk=row.second_id)
    if not first.is_active or not second.is_active:
        return "cancelled"
    return "moved"


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
