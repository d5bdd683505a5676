"""What a host may enter in their own calendar: dates a platform can use, never twice.

A block over 2020 changes nothing anywhere (platforms drop the past, and rental exports
start on the 1st of last month); one in 2099 lies beyond anything a platform sells and
beyond the dates the hub reads from their feeds (``ics_read.FUTURE_DAYS``). Two of the
host's own bookings over the same night, shown on the same channel, hide each other on the
grid and tell the platform nothing that one of them does not: the second is a slip.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum

from icalbridge.core.bookings import Booking
from icalbridge.core.ics_read import FUTURE_DAYS
from icalbridge.core.spans import Nights, StayTimes, spans_overlap

# As far ahead as the hub reads the platforms' feeds: no platform sells beyond it.
FARTHEST_AHEAD = timedelta(days=FUTURE_DAYS)


class DateProblem(StrEnum):
    PAST = "past"
    TOO_FAR = "too_far"


def date_problem(nights: Nights, today: date) -> DateProblem | None:
    """Say why a span of nights is of no use to the platforms, or None when it is."""
    if nights.end <= today:
        return DateProblem.PAST
    if nights.start > today + FARTHEST_AHEAD:
        return DateProblem.TOO_FAR
    return None


def farthest_day(today: date) -> date:
    """Return the last day a host's booking may start on."""
    return today + FARTHEST_AHEAD


def share_a_channel(a: Booking, b: Booking) -> bool:
    """Tell whether two bookings are shown on some channel together (None: on every one)."""
    if a.scope is None:
        return b.scope is None or bool(b.scope)
    if b.scope is None:
        return bool(a.scope)
    return bool(a.scope & b.scope)


def overlapping_own(
    candidate: Booking, others: Iterable[Booking], stay: StayTimes
) -> list[Booking]:
    """Return the host's other active bookings that ``candidate`` would lie over.

    Only the host's own bookings count (an imported stay under a block is a double booking,
    rule 9), and only those shown on a channel ``candidate`` is shown on.
    """
    return sorted(
        (
            other
            for other in others
            if other.is_local
            and other.id != candidate.id
            and share_a_channel(candidate, other)
            and spans_overlap(candidate.span, other.span, stay)
        ),
        key=lambda b: (b.span.start.isoformat(), b.id),
    )
