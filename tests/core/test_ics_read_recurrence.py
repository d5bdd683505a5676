from __future__ import annotations

from datetime import UTC, date, datetime

from icalbridge.core.feed import Feed
from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.core.recurrence import MAX_INSTANCES
from icalbridge.core.spans import Nights, Timed
from tests.conftest import FIXTURE_FEEDS

TODAY = date(2026, 11, 21)


def weekly_feed() -> Feed:
    data = (FIXTURE_FEEDS / "google_weekly_moved_and_cancelled.ics").read_bytes()
    return read_feed(data, ReadOptions(today=TODAY))


def utc_starts(feed: Feed, uid: str) -> list[datetime]:
    starts = []
    for event in feed.events:
        if event.uid == uid:
            assert isinstance(event.span, Timed)
            starts.append(event.span.start.astimezone(UTC))
    return starts


def test_weekly_series_keeps_the_moved_instance_and_drops_the_cancelled_one() -> None:
    assert utc_starts(weekly_feed(), "weekly-1@google.com") == [
        datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 10, 14, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
    ]


def test_instances_of_a_series_share_the_uid_and_differ_by_recurrence_id() -> None:
    events = [e for e in weekly_feed().events if e.uid == "weekly-1@google.com"]
    assert [e.recurrence_id for e in events] == [
        "20261102T090000Z",
        "20261109T090000Z",
        "20261123T090000Z",
    ]
    assert len({e.key for e in events}) == 3


def test_moved_instance_keeps_its_own_summary() -> None:
    summaries = [e.summary for e in weekly_feed().events if e.uid == "weekly-1@google.com"]
    assert summaries[1] == "Cours de piano (moved)"


def test_override_whose_series_is_missing_is_still_an_event() -> None:
    assert utc_starts(weekly_feed(), "orphan-override@google.com") == [
        datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    ]


def test_open_ended_series_is_expanded_only_inside_the_window() -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:yearly@x\r\nDTSTART;VALUE=DATE:20000301\r\n"
        b"DTEND;VALUE=DATE:20000303\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Fermeture annuelle\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    feed = read_feed(data, ReadOptions(today=TODAY))
    assert [e.span for e in feed.events] == [
        Nights(date(year, 3, 1), date(year, 3, 3)) for year in (2026, 2027, 2028, 2029)
    ]


def test_exdate_removes_an_instance() -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:d@x\r\nDTSTART;VALUE=DATE:20261201\r\n"
        b"RRULE:FREQ=DAILY;COUNT=3\r\nEXDATE;VALUE=DATE:20261202\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    feed = read_feed(data, ReadOptions(today=TODAY))
    assert [e.span.start for e in feed.events] == [date(2026, 12, 1), date(2026, 12, 3)]


def test_a_flood_of_occurrences_is_capped_and_reported() -> None:
    series = b"".join(
        b"BEGIN:VEVENT\r\nUID:s%d@x\r\nDTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=DAILY\r\n"
        b"END:VEVENT\r\n" % n
        for n in range(5)
    )
    data = b"BEGIN:VCALENDAR\r\n" + series + b"END:VCALENDAR\r\n"
    feed = read_feed(data, ReadOptions(today=TODAY))
    assert len(feed.events) == MAX_INSTANCES
    assert "recurrence_truncated" in feed.problem_codes()


def test_series_repeating_every_second_is_read_as_its_first_date() -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:sec@x\r\nDTSTART:20261201T090000Z\r\n"
        b"RRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    feed = read_feed(data, ReadOptions(today=TODAY))
    assert len(feed.events) == 1
    assert "sub_daily_recurrence" in feed.problem_codes()
