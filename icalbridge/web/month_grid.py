"""Build the rows of a unit's month grid: one cell per day, bookings drawn as bars.

Pure: takes days and entries, returns segments a template draws (no database, no clock).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# When two bookings share a night in one row, the grid draws the weightiest; a double
# booking is flagged from the recorded conflicts, so that it is never hidden.
_WEIGHT = {"reserved": 0, "tentative": 1, "unavailable": 2}


@dataclass(frozen=True)
class GridEntry:
    """A booking as one row of the grid draws it."""

    booking_id: str
    start: date
    end: date
    kind: str
    label: str
    detail: str = ""
    is_sent: bool = False
    # Where a bar we send stands on the platform: "" (not followed), or a delivery state
    # (``core.deliveries``): waiting, fetched, confirmed, not_applied.
    delivery: str = ""
    is_echo: bool = False
    is_horizon: bool = False

    def covers(self, day: date) -> bool:
        return self.start <= day < self.end


@dataclass(frozen=True)
class GridSegment:
    """A run of days in a row: one empty day, or the days one booking covers this month."""

    first: date
    length: int
    entry: GridEntry | None
    is_conflict: bool
    continues_before: bool
    continues_after: bool

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.length - 1)


@dataclass(frozen=True)
class GridRow:
    key: str
    title: str
    subtitle: str
    segments: tuple[GridSegment, ...]
    is_own: bool = False
    # A channel's status line, as the row's head shows it: its state, short facts (when it
    # was imported, when the platform read our link) and the full sentence for a tooltip.
    state: str = ""
    facts: tuple[str, ...] = ()
    status_message: str = ""


def days_of_month(month: date) -> list[date]:
    """Return every day of the month that ``month`` falls in."""
    count = calendar.monthrange(month.year, month.month)[1]
    first = month.replace(day=1)
    return [first + timedelta(days=i) for i in range(count)]


def shifted_month(month: date, months: int) -> date:
    """Return the first day of the month ``months`` after (or before) ``month``."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def row_segments(
    days: Sequence[date], entries: Iterable[GridEntry], conflict_days: frozenset[date]
) -> tuple[GridSegment, ...]:
    """Return the segments of one row: a bar per booking run, a segment per free day."""
    entries = sorted(entries, key=lambda e: (e.is_sent, _WEIGHT.get(e.kind, 3), e.start))
    chosen = [next((e for e in entries if e.covers(day)), None) for day in days]
    segments: list[GridSegment] = []
    index = 0
    while index < len(days):
        entry = chosen[index]
        length = 1
        if entry is not None:
            while index + length < len(days) and chosen[index + length] == entry:
                length += 1
        run = days[index : index + length]
        segments.append(
            GridSegment(
                first=run[0],
                length=length,
                entry=entry,
                is_conflict=entry is not None
                and not entry.is_sent
                and any(d in conflict_days for d in run),
                continues_before=entry is not None and entry.start < run[0],
                continues_after=entry is not None and entry.end > run[-1] + timedelta(days=1),
            )
        )
        index += length
    return tuple(segments)


def conflict_days_of(spans: Iterable[tuple[date, date]]) -> frozenset[date]:
    """Return every night covered by some ``[start, end)`` conflict span."""
    days: set[date] = set()
    for start, end in spans:
        day = start
        while day < end:
            days.add(day)
            day += timedelta(days=1)
    return frozenset(days)
