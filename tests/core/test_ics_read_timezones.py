from __future__ import annotations

from datetime import UTC, date, datetime

from icalbridge.core.bookings import ImportOptions
from icalbridge.core.feed import Feed
from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.core.spans import Timed
from tests.conftest import FIXTURE_FEEDS

TODAY = date(2026, 11, 21)


def read_fixture(name: str, **options: object) -> Feed:
    return read_feed((FIXTURE_FEEDS / name).read_bytes(), ReadOptions(today=TODAY, **options))


def utc_span_of(feed: Feed, uid: str) -> tuple[datetime, datetime]:
    (event,) = [e for e in feed.events if e.uid == uid]
    assert isinstance(event.span, Timed)
    return event.span.start.astimezone(UTC), event.span.end.astimezone(UTC)


def test_windows_romance_standard_time_is_paris_in_winter() -> None:
    feed = read_fixture("outlook_windows_zone_names.ics")
    assert utc_span_of(feed, "romance-1@example.test") == (
        datetime(2026, 12, 15, 13, 0, tzinfo=UTC),
        datetime(2026, 12, 15, 15, 0, tzinfo=UTC),
    )


def test_quoted_windows_name_is_berlin_in_summer() -> None:
    feed = read_fixture("outlook_windows_zone_names.ics")
    start, _ = utc_span_of(feed, "romance-2@example.test")
    assert start == datetime(2026, 7, 10, 7, 0, tzinfo=UTC)


def test_outlook_display_name_zone_is_read_by_its_city() -> None:
    feed = read_fixture("outlook_windows_zone_names.ics")
    start, end = utc_span_of(feed, "romance-3@example.test")
    assert (start, end) == (
        datetime(2026, 7, 10, 7, 0, tzinfo=UTC),
        datetime(2026, 7, 10, 7, 30, tzinfo=UTC),
    )


def test_unknown_zone_falls_back_to_the_unit_zone_and_says_so() -> None:
    feed = read_fixture("outlook_windows_zone_names.ics", zone="Europe/Paris")
    start, _ = utc_span_of(feed, "romance-4@example.test")
    assert start == datetime(2026, 7, 10, 7, 0, tzinfo=UTC)
    (problem,) = [p for p in feed.problems if p.code == "unknown_timezone"]
    assert "Mars/Olympus_Mons" in problem.message
    assert ("tzid", "Mars/Olympus_Mons") in problem.params


def test_tzid_of_another_zone_than_the_units_keeps_its_own_instant() -> None:
    feed = read_fixture("google_tzid_other_zone.ics", zone="Europe/Paris")
    assert utc_span_of(feed, "ny-1@google.com")[0] == datetime(2026, 7, 4, 14, 0, tzinfo=UTC)


def test_legacy_zone_name_europe_kiev_is_understood() -> None:
    feed = read_fixture("google_tzid_other_zone.ics")
    assert utc_span_of(feed, "kiev-1@google.com")[0] == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    assert "unknown_timezone" not in feed.problem_codes()


def test_floating_times_are_read_in_the_x_wr_timezone() -> None:
    feed = read_fixture("google_floating_x_wr_timezone.ics", zone="Europe/Paris")
    assert utc_span_of(feed, "tokyo-1@google.com") == (
        datetime(2026, 12, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
    )


def test_floating_times_without_x_wr_timezone_are_read_in_the_unit_zone() -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:f@x\r\nDTSTART:20261201T090000\r\n"
        b"DTEND:20261201T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    feed = read_feed(data, ReadOptions(today=TODAY, zone="America/New_York"))
    assert utc_span_of(feed, "f@x")[0] == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def test_the_channels_floating_zone_overrides_x_wr_timezone() -> None:
    feed = read_fixture(
        "google_floating_x_wr_timezone.ics",
        import_options=ImportOptions(floating_tz="Europe/London"),
    )
    assert utc_span_of(feed, "tokyo-1@google.com")[0] == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_utc_times_stay_at_their_instant_whatever_the_unit_zone() -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u@x\r\nDTSTART:20261201T090000Z\r\n"
        b"DTEND:20261201T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    feed = read_feed(data, ReadOptions(today=TODAY, zone="Asia/Tokyo"))
    assert utc_span_of(feed, "u@x")[0] == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
