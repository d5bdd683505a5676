"""Find double bookings: reservations of different origins on the same nights.

docs/domain.md rule 9.

A booking takes part as a *reservation* when its kind is reserved or tentative: a
tentative stay the host is about to confirm would double book just the same, and the
host must hear of it before confirming, not after. A booking *may be* a reservation when
it is one, or when it is a block from a platform that does not let us tell its sold
nights from its closed ones (``blocks_may_be_reservations``: Booking.com). A conflict is
a reservation overlapping a booking of another origin that may be one. Two ambiguous
blocks are not a conflict: nothing says either is a stay. Never conflicts: echoes (they
mirror our own bookings), horizon blocks and the host's own blocks (local unavailable),
and two bookings of the same origin (the platform itself keeps those apart).
Back-to-back stays share no night, so they are no conflict either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from icalbridge.core.bookings import Booking, Kind
from icalbridge.core.spans import Nights, StayTimes, Timed, nights_of

STAY_KINDS = frozenset({Kind.RESERVED, Kind.TENTATIVE})
S = TypeVar("S", Nights, Timed)


@dataclass(frozen=True, order=True)
class Conflict:
    """Two bookings that overlap; ``first_id < second_id``, ``nights`` None if timed-only."""

    first_id: str
    second_id: str
    nights: Nights | None
    start: datetime | date
    end: datetime | date


def find_conflicts(
    bookings: Sequence[Booking],
    stay: StayTimes,
    blocks_may_be_reservations: Callable[[str], bool],
) -> list[Conflict]:
    """Return the double bookings among one unit's bookings, sorted.

    Two timed bookings overlap by their times; otherwise by the nights they occupy
    (docs/domain.md rule 10). Runs a sort and sweep, so thousands of bookings cost little more
    than sorting them.
    """
    candidates = [b for b in bookings if _may_be_reservation(b, blocks_may_be_reservations)]
    found: set[Conflict] = set()
    by_nights = [(n, b) for b in candidates if (n := nights_of(b.span, stay)) is not None]
    for (nights_a, a), (nights_b, b) in _overlapping_pairs(by_nights):
        if isinstance(a.span, Timed) and isinstance(b.span, Timed):
            continue
        if _is_double_booking(a, b):
            shared = Nights(max(nights_a.start, nights_b.start), min(nights_a.end, nights_b.end))
            found.add(_conflict(a, b, shared, shared.start, shared.end))
    timed = [(b.span, b) for b in candidates if isinstance(b.span, Timed)]
    for (span_a, a), (span_b, b) in _overlapping_pairs(timed):
        if _is_double_booking(a, b):
            found.add(_conflict(a, b, None, max(span_a.start, span_b.start), _end(span_a, span_b)))
    return sorted(found)


def _may_be_reservation(
    booking: Booking, blocks_may_be_reservations: Callable[[str], bool]
) -> bool:
    if booking.is_echo or booking.is_horizon:
        return False
    if booking.kind in STAY_KINDS:
        return True
    return not booking.is_local and blocks_may_be_reservations(booking.origin)


def _is_double_booking(a: Booking, b: Booking) -> bool:
    return a.origin != b.origin and (a.kind in STAY_KINDS or b.kind in STAY_KINDS)


def _overlapping_pairs(
    items: list[tuple[S, Booking]],
) -> Iterator[tuple[tuple[S, Booking], tuple[S, Booking]]]:
    """Yield every pair whose spans overlap, sweeping items sorted by start."""
    active: list[tuple[S, Booking]] = []
    for item in sorted(items, key=lambda i: (i[0].start, i[0].end, i[1].id)):
        span = item[0]
        # A span ending where this one starts shares nothing with it (back-to-back stays),
        # unless it is an instant at that very start.
        active = [
            a
            for a in active
            if a[0].end > span.start or (a[0].end == span.start and a[0].start == a[0].end)
        ]
        for other in active:
            if other[0].overlaps(span):
                yield other, item
        active.append(item)


def _end(a: Timed, b: Timed) -> datetime:
    return max(a.start, b.start) if a.start == a.end or b.start == b.end else min(a.end, b.end)


def _conflict(
    a: Booking, b: Booking, nights: Nights | None, start: datetime | date, end: datetime | date
) -> Conflict:
    first, second = sorted((a.id, b.id))
    return Conflict(first, second, nights, start, end)
