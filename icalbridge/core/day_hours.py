"""A day's hours on a unit's wall clock, for views that lay bookings out by the hour.

A day is not always 24 hours long: where clocks go forward it has 23 (the hour from 02:00
does not exist in Europe/Paris on the last Sunday of March) and where they go back it has
25 (02:00 comes twice in October). A view that drew every day as 24 equal hours would put
a lesson at 02:30 on a time that never happened, or fold two real hours into one. So a day
is cut at each whole hour of its wall clock, as often as that hour occurs, and each hour is
named by its wall-clock time and its occurrence: ``02:00`` then ``02:00 (second)``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from icalbridge.core.spans import Timed

WEEK = 7


@dataclass(frozen=True, order=True)
class HourKey:
    """An hour as a wall clock names it; ``occurrence`` 1 is 02:00 again when clocks go back."""

    label: time
    occurrence: int = 0


@dataclass(frozen=True)
class HourSlot:
    """One hour of a day in a zone: its name and the instants it runs between (UTC)."""

    key: HourKey
    start: datetime
    end: datetime

    @cached_property
    def span(self) -> Timed:
        return Timed(self.start, self.end)


def week_of(day: date) -> tuple[date, ...]:
    """Return the seven days, Monday first, of the week that holds ``day``."""
    monday = day - timedelta(days=day.weekday())
    return tuple(monday + timedelta(days=i) for i in range(WEEK))


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Return the first instant of ``day`` in ``zone``, in UTC.

    Where midnight does not exist (clocks go forward at midnight), the day starts when the
    clocks jump; where it comes twice, at the first one.
    """
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def day_span(day: date, zone: ZoneInfo) -> Timed:
    """Return ``day`` in ``zone`` as a span of instants: 23, 24 or 25 hours long."""
    return Timed(day_start(day, zone), day_start(day + timedelta(days=1), zone))


def hours_of_day(day: date, zone: ZoneInfo) -> tuple[HourSlot, ...]:
    """Return the hours of ``day`` in ``zone``, in order, tiling the whole day.

    Each slot runs from one whole hour of the wall clock to the next that exists; an hour
    the clocks skip has no slot, an hour they repeat has two.
    """
    span = day_span(day, zone)
    cuts = {span.start, span.end}
    for hour in range(24):
        for fold in (0, 1):
            instant = datetime.combine(day, time(hour, fold=fold), zone).astimezone(UTC)
            if span.start < instant < span.end:
                cuts.add(instant)
    ordered = sorted(cuts)
    seen: dict[time, int] = {}
    slots = []
    for start, end in itertools.pairwise(ordered):
        label = start.astimezone(zone).time().replace(tzinfo=None, fold=0)
        occurrence = seen.get(label, 0)
        seen[label] = occurrence + 1
        slots.append(HourSlot(HourKey(label, occurrence), start, end))
    return tuple(slots)


def rows_of(columns: Iterable[Sequence[HourSlot]]) -> tuple[HourKey, ...]:
    """Return the hours that several days share as rows, each hour any of them has, in order.

    A week that holds the day the clocks go forward has a 02:00 row that this one day leaves
    empty; one that holds the day they go back has a second 02:00 row the other days leave
    empty. Days in different zones line up by their wall clocks.
    """
    return tuple(sorted({slot.key for column in columns for slot in column}))
