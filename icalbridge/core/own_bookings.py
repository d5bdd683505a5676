"""What a host may enter in their own calendar: dates a platform can use, never twice.

A block over 2020 changes nothing anywhere (platforms drop the past, and rental exports
start on the 1st of last month); one in 2099 lies beyond anything a platform sells and
beyond the dates the hub reads from their feeds (``ics_read.FUTURE_DAYS``). Two of the
host's own bookings over the same night, shown on the same channel, hide each other on the
grid and tell the platform nothing that one of them does not: the second is a slip.

The web form, the API and any other way a host enters a booking apply this one rule
(``bookings/local_bookings``), so what one refuses the others refuse too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from icalbridge.core.bookings import Booking
from icalbridge.core.ics_read import FUTURE_DAYS
from icalbridge.core.spans import Nights, Span, StayTimes, Timed, spans_overlap

# As far ahead as the hub reads the platforms' feeds: no platform sells beyond it.
FARTHEST_AHEAD = timedelta(days=FUTURE_DAYS)


class DateProblem(StrEnum):
    PAST = "past"
    TOO_FAR = "too_far"


@dataclass(frozen=True)
class OwnProblem:
    """Why a host's entry is refused: its dates, or the first of their own it lies over."""

    dates: DateProblem | None = None
    over: Booking | None = None


def days_of(span: Span, stay: StayTimes) -> Nights:
    """Return the days a span touches where the unit is, as nights (a timed one included)."""
    if isinstance(span, Nights):
        return span
    assert isinstance(span, Timed)
    first = span.start.astimezone(stay.zone).date()
    last = span.end.astimezone(stay.zone).date()
    return Nights(first, max(last, first + timedelta(days=1)))


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


def own_booking_problem(
    candidate: Booking,
    before: Booking | None,
    others: Iterable[Booking],
    *,
    today: date,
    stay: StayTimes,
) -> OwnProblem | None:
    """Say why a host may not enter ``candidate`` (``before``: what it changes), or None.

    An unchanged booking is not judged again: a note added to last week's block is fine,
    and so is a new channel for a block that already lay over another before this rule.
    Dates are judged when they change; the overlap when the dates or the channels do.
    """
    same_span = before is not None and candidate.span == before.span
    if same_span and before is not None and candidate.scope == before.scope:
        return None
    if not same_span:
        problem = date_problem(days_of(candidate.span, stay), today)
        if problem is not None:
            return OwnProblem(dates=problem)
    over = overlapping_own(candidate, others, stay)
    return OwnProblem(over=over[0]) if over else None
