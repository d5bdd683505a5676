"""Series given in UTC, or in a calendar whose zone is UTC, keep their UTC instants (RFC 5545)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icalbridge.core.bookings import ImportOptions
from icalbridge.core.feed import Feed
from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.core.spans import Timed
from tests.conftest import FIXTURE_FEEDS

TODAY = date(2026, 12, 7)
ZONES = ("Europe/Paris", "UTC", "America/New_York", "Australia/Sydney", "Asia/Kathmandu")


def read(name: str, zone: str = "Europe/Paris", floating_tz: str | None = None) -> Feed:
    options = ReadOptions(
        today=TODAY, zone=zone, import_options=ImportOptions(floating_tz=floating_tz)
    )
    return read_feed((FIXTURE_FEEDS / name).read_bytes(), options)


def utc_spans(feed: Feed, uid: str) -> list[tuple[datetime, datetime]]:
    spans = []
    for event in feed.events:
        if event.uid == uid:
            assert isinstance(event.span, Timed)
            spans.append((event.span.start.astimezone(UTC), event.span.end.astimezone(UTC)))
    return sorted(spans)


def weekly(first: datetime, count: int, length: timedelta) -> list[tuple[datetime, datetime]]:
    return [(first + timedelta(weeks=k), first + timedelta(weeks=k) + length) for k in range(count)]


@pytest.mark.parametrize("zone", ZONES)
def test_floating_series_in_a_calendar_whose_zone_is_utc_stays_at_ten_utc(zone: str) -> None:
    feed = read("google_x_wr_timezone_utc_weekly.ics", zone)
    assert utc_spans(feed, "weekly-floating@google.com") == weekly(
        datetime(2027, 3, 8, 10, tzinfo=UTC), 6, timedelta(hours=1)
    )
    assert utc_spans(feed, "single@google.com") == [
        (datetime(2027, 3, 10, 10, tzinfo=UTC), datetime(2027, 3, 10, 11, tzinfo=UTC))
    ]


@pytest.mark.parametrize("zone", ZONES)
def test_utc_series_in_a_calendar_whose_zone_is_utc_stays_at_ten_utc(zone: str) -> None:
    assert utc_spans(
        read("google_x_wr_timezone_utc_weekly.ics", zone), "weekly-utc@google.com"
    ) == (weekly(datetime(2027, 3, 9, 10, tzinfo=UTC), 6, timedelta(hours=1)))


def test_floating_series_of_a_unit_in_utc_is_read_at_utc_wall_clock() -> None:
    data = (FIXTURE_FEEDS / "google_x_wr_timezone_utc_weekly.ics").read_bytes()
    data = data.replace(b"X-WR-TIMEZONE:UTC\r\n", b"")
    feed = read_feed(data, ReadOptions(today=TODAY, zone="UTC"))
    assert utc_spans(feed, "weekly-floating@google.com") == weekly(
        datetime(2027, 3, 8, 10, tzinfo=UTC), 6, timedelta(hours=1)
    )


def test_floating_series_of_a_channel_whose_floating_zone_is_utc_is_read_at_utc() -> None:
    data = (FIXTURE_FEEDS / "google_x_wr_timezone_utc_weekly.ics").read_bytes()
    data = data.replace(b"X-WR-TIMEZONE:UTC\r\n", b"")
    options = ReadOptions(today=TODAY, import_options=ImportOptions(floating_tz="UTC"))
    assert utc_spans(read_feed(data, options), "weekly-floating@google.com") == weekly(
        datetime(2027, 3, 8, 10, tzinfo=UTC), 6, timedelta(hours=1)
    )


@pytest.mark.parametrize("zone", ZONES)
def test_weekly_utc_series_from_winter_does_not_drift_after_the_clocks_change(zone: str) -> None:
    feed = read("google_utc_weekly_from_winter.ics", zone, floating_tz=zone)
    assert utc_spans(feed, "utc-weekly@google.com") == weekly(
        datetime(2027, 3, 1, 9, tzinfo=UTC), 7, timedelta(hours=1)
    )


@pytest.mark.parametrize("zone", ZONES)
def test_rdate_list_in_utc_keeps_every_date_at_its_utc_time(zone: str) -> None:
    feed = read("other_rdate_list_utc.ics", zone)
    assert utc_spans(feed, "rdates-utc@booking-engine.example") == weekly(
        datetime(2027, 3, 20, 15, tzinfo=UTC), 4, timedelta(hours=2)
    )


@pytest.mark.parametrize("zone", ZONES)
def test_utc_series_with_sequence_bumped_overrides_loses_no_instance(zone: str) -> None:
    feed = read("google_utc_series_sequence_overrides.ics", zone)
    events = sorted(
        (e for e in feed.events if e.uid == "seq-series@google.com"), key=lambda e: e.span.start
    )
    assert [(e.span.start.astimezone(UTC), e.span.end.astimezone(UTC)) for e in events] == [
        (datetime(2027, 3, 18, 8, tzinfo=UTC), datetime(2027, 3, 18, 9, tzinfo=UTC)),
        (datetime(2027, 3, 25, 8, tzinfo=UTC), datetime(2027, 3, 25, 9, 30, tzinfo=UTC)),
        (datetime(2027, 4, 1, 13, tzinfo=UTC), datetime(2027, 4, 1, 14, tzinfo=UTC)),
        (datetime(2027, 4, 8, 8, tzinfo=UTC), datetime(2027, 4, 8, 9, tzinfo=UTC)),
    ]
    assert [e.summary for e in events] == [
        "Réunion",
        "Réunion (longue)",
        "Réunion (déplacée)",
        "Réunion",
    ]
    assert "recurrence_failed" not in feed.problem_codes()


def utc_series(first: datetime, frequency: str, interval: int, count: int) -> bytes:
    stamp = first.strftime("%Y%m%dT%H%M%SZ")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:series@test\r\nDTSTART:{stamp}\r\nDURATION:PT1H\r\n"
        f"RRULE:FREQ={frequency};INTERVAL={interval};COUNT={count}\r\n"
        "SUMMARY:Cours\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@settings(max_examples=60, deadline=None)
@given(
    first=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    frequency=st.sampled_from(["DAILY", "WEEKLY"]),
    interval=st.integers(1, 3),
    count=st.integers(1, 30),
    zone=st.sampled_from(ZONES),
    floating_tz=st.sampled_from([None, *ZONES]),
)
def test_series_in_utc_expands_to_the_same_utc_instants_whatever_the_units_zone(
    first: datetime, frequency: str, interval: int, count: int, zone: str, floating_tz: str | None
) -> None:
    first = first.replace(second=0, microsecond=0, tzinfo=UTC)
    step = timedelta(days=interval * (7 if frequency == "WEEKLY" else 1))
    options = ReadOptions(
        today=TODAY, zone=zone, import_options=ImportOptions(floating_tz=floating_tz)
    )
    feed = read_feed(utc_series(first, frequency, interval, count), options)
    assert [e.span.start.astimezone(UTC) for e in feed.events] == [
        first + k * step for k in range(count)
    ]
