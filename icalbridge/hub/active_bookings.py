"""A unit's active bookings as domain values, read the way imports and exports read them."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time

from django.db.models import Q

from icalbridge.core import bookings as core
from icalbridge.hub.models import Booking, Unit
from icalbridge.hub.models.booking import CORE_FIELDS, core_booking
from icalbridge.hub.statements import ValueRows

# Where a booking row (id first) says it has no scope.
_SCOPE_ALL = 1 + CORE_FIELDS.index("scope_all")
_UNIT, _DAY, _MIDNIGHT = -7_000_002, date(1901, 2, 3), datetime(1901, 2, 3, tzinfo=UTC)


def _active(unit_id: int) -> Q:
    return Q(unit_id=unit_id, cancelled_at__isnull=True)


# A changed import reads them twice; building the ORM's statement and converters each time
# cost as much again as the query.
_ALL = ValueRows(
    lambda unit_id: (
        Booking.objects.filter(_active(unit_id)).order_by("id").values_list("pk", *CORE_FIELDS)
    ),
    (_UNIT,),
)
_ENDING_FROM = ValueRows(
    lambda unit_id, day, midnight: (
        Booking.objects.filter(_active(unit_id))
        .filter(Q(all_day=True, end_date__gte=day) | Q(all_day=False, end_at__gte=midnight))
        .order_by("id")
        .values_list("pk", *CORE_FIELDS)
    ),
    (_UNIT, _DAY, _MIDNIGHT),
)


def active_core_bookings(unit: Unit, *, ending_from: date | None = None) -> list[core.Booking]:
    """Return the active bookings of a unit as domain values, scope included.

    ``ending_from`` leaves out those over before that day (as ``core.exports.ends_before``).
    """
    if ending_from is None:
        rows = _ALL.fetch(unit.pk)
    else:
        rows = _ENDING_FROM.fetch(unit.pk, ending_from, datetime.combine(ending_from, time(), UTC))
    # Few bookings are limited to some channels: their scopes cost a query only when present.
    scopes: dict[int, set[str]] = defaultdict(set)
    scoped = [row[0] for row in rows if not row[_SCOPE_ALL]]
    if scoped:
        through = Booking.scope.through.objects.filter(booking_id__in=scoped)
        for booking_id, channel_id in through.values_list("booking_id", "channel_id"):
            scopes[booking_id].add(str(channel_id))
    return [
        core_booking(row[1:], None if row[_SCOPE_ALL] else frozenset(scopes[row[0]]))
        for row in rows
    ]
