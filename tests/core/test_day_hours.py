"""A day's hours on the unit's wall clock: 23 where clocks go forward, 25 where they go back."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st

from icalbridge.core.day_hours import (
    HourKey,
    day_span,
    hours_of_day,
    rows_of,
    week_of,
)

PARIS = ZoneInfo("Europe/Paris")
SPRING_FORWARD = date(2026, 3, 29)
FALL_BACK = date(2026, 10, 25)
# Zones whose clocks jump at midnight, by half an hour, or by a whole day.
ODD_ZONES = ("America/Santiago", "Australia/Lord_Howe", "Pacific/Apia", "America/Havana")
ZONES = sorted(available_timezones())


def labels(day: date, zone: ZoneInfo = PARIS) -> list[str]:
    return [
        f"{s.key.label:%H:%M}{'²' if s.key.occurrence else ''}" for s in hours_of_day(day, zone)
    ]


def test_an_ordinary_day_has_24_hours_from_midnight_to_midnight() -> None:
    slots = hours_of_day(date(2026, 3, 10), PARIS)
    assert len(slots) == 24
    assert slots[0].start == datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    assert slots[-1].end == datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
    assert labels(date(2026, 3, 10))[:3] == ["00:00", "01:00", "02:00"]


def test_the_day_clocks_go_forward_has_no_2_oclock_and_23_hours() -> None:
    assert len(hours_of_day(SPRING_FORWARD, PARIS)) == 23
    assert labels(SPRING_FORWARD)[:4] == ["00:00", "01:00", "03:00", "04:00"]
    span = day_span(SPRING_FORWARD, PARIS)
    assert span.end - span.start == timedelta(hours=23)


def test_the_day_clocks_go_back_has_2_oclock_twice_and_25_hours() -> None:
    assert len(hours_of_day(FALL_BACK, PARIS)) == 25
    assert labels(FALL_BACK)[:5] == ["00:00", "01:00", "02:00", "02:00²", "03:00"]
    first, second = hours_of_day(FALL_BACK, PARIS)[2:4]
    assert first.end == second.start and second.end - first.start == timedelta(hours=2)


def test_a_week_holding_both_kinds_of_day_keeps_every_hour_as_a_row() -> None:
    spring = [hours_of_day(d, PARIS) for d in week_of(SPRING_FORWARD)]
    rows = rows_of(spring)
    assert len(rows) == 24 and HourKey(time(2)) in rows
    autumn = rows_of(hours_of_day(d, PARIS) for d in week_of(FALL_BACK))
    assert len(autumn) == 25
    assert autumn[2:4] == (HourKey(time(2)), HourKey(time(2), 1))


def test_a_week_starts_on_monday_and_crosses_years() -> None:
    week = week_of(date(2027, 1, 1))
    assert week[0] == date(2026, 12, 28) and week[-1] == date(2027, 1, 3)
    assert all(week_of(d) == week for d in week)


def test_where_midnight_does_not_exist_the_day_starts_when_clocks_jump() -> None:
    santiago = ZoneInfo("America/Santiago")
    day = date(2026, 9, 6)  # clocks jump from 00:00 to 01:00
    slots = hours_of_day(day, santiago)
    assert slots[0].key == HourKey(time(1))
    assert len(slots) == 23


def test_a_day_a_zone_skipped_whole_has_no_hours() -> None:
    # Samoa moved across the date line: 30 December 2011 never happened in Apia.
    assert hours_of_day(date(2011, 12, 30), ZoneInfo("Pacific/Apia")) == ()
    assert len(hours_of_day(date(2011, 12, 31), ZoneInfo("Pacific/Apia"))) == 24


@st.composite
def zones_and_days(draw: st.DrawFn) -> tuple[ZoneInfo, date]:
    name = draw(st.sampled_from(ZONES) | st.sampled_from(ODD_ZONES))
    return ZoneInfo(name), draw(st.dates(date(1975, 1, 1), date(2037, 12, 31)))


@settings(max_examples=200)
@given(zones_and_days())
def test_hours_tile_the_day_in_order_and_never_repeat_a_name(case: tuple[ZoneInfo, date]) -> None:
    zone, day = case
    slots = hours_of_day(day, zone)
    span = day_span(day, zone)
    if span.start == span.end:
        assert slots == ()
        return
    assert slots[0].start == span.start and slots[-1].end == span.end
    assert all(a.end == b.start for a, b in itertools.pairwise(slots))
    assert all(s.start < s.end for s in slots)
    keys = [s.key for s in slots]
    assert keys == sorted(set(keys))
    # Each hour's name is the wall-clock time at which it begins, in the day it belongs to.
    for slot in slots:
        local = slot.start.astimezone(zone)
        assert local.date() == day and local.time().replace(fold=0) == slot.key.label
