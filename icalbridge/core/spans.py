"""Spans of time a booking covers, and the nights they occupy (docs/domain.md rule 10)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, order=True)
class Nights:
    """All-day nights ``[start, end)``: ``end`` is the check-out day, free again."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if isinstance(self.start, datetime) or isinstance(self.end, datetime):
            raise TypeError("Nights take dates, not datetimes")
        if self.end <= self.start:
            raise ValueError(f"a stay must end after it starts ({self.start} to {self.end})")

    @property
    def count(self) -> int:
        return (self.end - self.start).days

    def each_night(self) -> Iterator[date]:
        day = self.start
        while day < self.end:
            yield day
            day += timedelta(days=1)

    def overlaps(self, other: Nights) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, order=True)
class Timed:
    """A timed span ``[start, end)`` with aware datetimes; zero length is a point in time.

    Both ends are kept in UTC: Python compares two datetimes of the same zone by their
    wall clocks, so a span built across a DST change could otherwise end before it starts.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("timed spans need aware datetimes")
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        object.__setattr__(self, "end", self.end.astimezone(UTC))
        if self.end < self.start:
            raise ValueError(f"a span must not end before it starts ({self.start} to {self.end})")

    def overlaps(self, other: Timed) -> bool:
        if self.start == self.end:
            return other.start <= self.start < other.end or self.start == other.start
        if other.start == other.end:
            return other.overlaps(self)
        return self.start < other.end and other.start < self.end


Span = Nights | Timed


@dataclass(frozen=True)
class StayTimes:
    """Where a unit's nights begin and end: its zone, check-in and check-out times."""

    zone: ZoneInfo
    check_in: time = time(16, 0)
    check_out: time = time(10, 0)


def nights_of(span: Span, stay: StayTimes) -> Nights | None:
    """Return the nights a span occupies, or None when it occupies none.

    An all-day span is its nights as they are. A timed span occupies night D when it
    overlaps ``[D + check-in, D+1 + check-out)`` in the unit's zone. The result is the
    smallest run of nights covering every occupied one, so it never frees a night the
    span occupies.
    """
    if isinstance(span, Nights):
        return span
    start = span.start.astimezone(stay.zone)
    end = span.end.astimezone(stay.zone)
    first_candidate = start.date() - timedelta(days=1)
    occupied: list[date] = []
    day = first_candidate
    while day <= end.date():
        night_start = datetime.combine(day, stay.check_in, stay.zone)
        night_end = datetime.combine(day + timedelta(days=1), stay.check_out, stay.zone)
        if start == end:
            hit = night_start <= start < night_end
        else:
            hit = start < night_end and night_start < end
        if hit:
            occupied.append(day)
        day += timedelta(days=1)
    if not occupied:
        return None
    return Nights(occupied[0], occupied[-1] + timedelta(days=1))


def spans_overlap(a: Span, b: Span, stay: StayTimes) -> bool:
    """Tell whether two spans on one unit share time: nights when either is all-day."""
    if isinstance(a, Timed) and isinstance(b, Timed):
        return a.overlaps(b)
    nights_a, nights_b = nights_of(a, stay), nights_of(b, stay)
    return nights_a is not None and nights_b is not None and nights_a.overlaps(nights_b)
