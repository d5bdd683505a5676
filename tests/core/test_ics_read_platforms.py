"""Key facts of the real platform feeds, checked by hand against their raw text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from icalbridge.core.bookings import Kind
from icalbridge.core.feed import Feed
from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.core.spans import Nights, Timed
from tests.conftest import FIXTURE_FEEDS

OPTIONS = ReadOptions(today=date(2026, 11, 21), zone="Europe/Paris")


@pytest.fixture
def read_corpus(corpus_dir: Path):
    def read(relative: str) -> Feed:
        return read_feed((corpus_dir / relative).read_bytes(), OPTIONS)

    return read


def test_airbnb_current_feed_has_three_stays_and_five_blocks(read_corpus) -> None:
    feed = read_corpus("airbnb/casaskafidia_v1.0_crlf.ics")
    assert feed.platform == "airbnb" and feed.problems == ()
    stays = [(e.span, e.kind, e.is_block) for e in feed.events]
    reserved = (Kind.RESERVED, False)
    block = (Kind.UNAVAILABLE, True)
    assert stays == [
        (Nights(date(2026, 5, 2), date(2026, 5, 30)), *reserved),
        (Nights(date(2026, 6, 13), date(2026, 7, 11)), *reserved),
        (Nights(date(2026, 7, 15), date(2026, 7, 31)), *reserved),
        (Nights(date(2026, 8, 3), date(2026, 8, 7)), *block),
        (Nights(date(2026, 8, 8), date(2026, 8, 24)), *block),
        (Nights(date(2026, 9, 3), date(2026, 9, 7)), *block),
        (Nights(date(2026, 9, 10), date(2026, 10, 12)), *block),
        (Nights(date(2026, 10, 17), date(2027, 1, 10)), *block),
    ]


def test_airbnb_old_feed_with_a_prodid_parameter_is_recognised(read_corpus) -> None:
    feed = read_corpus("airbnb/airbnbeast_v0.8.8_2022_lf.ics")
    assert feed.platform == "airbnb"
    assert len(feed.events) == 21
    assert {e.kind for e in feed.events} == {Kind.RESERVED, Kind.UNAVAILABLE}


def test_airbnb_inverted_range_is_swapped_with_a_problem(read_corpus) -> None:
    feed = read_corpus("airbnb/icaltest_v0.8.8_blank_lines_inverted_range.ics")
    assert Nights(date(2025, 2, 27), date(2025, 6, 1)) in [e.span for e in feed.events]
    (problem,) = [p for p in feed.problems if p.code == "inverted_span"]
    assert problem.uid == "6fec1092d3fa-b03a1ec3773826d30cf3ccb40229974b@airbnb.com"


def test_airbnb_merge_conflict_keeps_each_stay_once(read_corpus) -> None:
    feed = read_corpus("airbnb/casaskafidia_git_merge_conflict.ics")
    assert len(feed.events) == 8
    assert len({e.uid for e in feed.events}) == 8
    assert {"multiple_calendars", "junk_line"} <= feed.problem_codes()
    assert feed.can_be_applied


def test_airbnb_merged_listings_read_every_stay(read_corpus) -> None:
    feed = read_corpus("airbnb/viewvillas_merged_6_listings_mixed_eol.ics")
    assert len(feed.events) == 176
    assert feed.events[0].summary == "1194501603461940563 Reserved"
    assert feed.events[0].kind is Kind.RESERVED


def test_booking_feed_is_all_blocks(read_corpus) -> None:
    feed = read_corpus("booking/reservation-sync_6_events_crlf.ics")
    assert feed.platform == "booking"
    assert len(feed.events) == 6
    assert {(e.kind, e.is_block) for e in feed.events} == {(Kind.UNAVAILABLE, True)}
    assert feed.events[0].span == Nights(date(2026, 3, 30), date(2026, 4, 4))


def test_booking_empty_feed_is_a_calendar_without_events(read_corpus) -> None:
    feed = read_corpus("booking/reservation-sync_empty_calendar_crlf.ics")
    assert feed.is_calendar and feed.events == () and feed.platform == "booking"


def test_abritel_labels_give_reserved_tentative_and_blocks(read_corpus) -> None:
    feed = read_corpus("vrbo/abritel_homeaway_2020_extracted_fr_labels.ics")
    assert feed.platform == "abritel"
    kinds = {e.summary: (e.kind, e.is_block) for e in feed.events}
    assert kinds["Provisoire - Guest5"] == (Kind.TENTATIVE, False)
    assert kinds["Réservée - Guest1"] == (Kind.RESERVED, False)
    assert kinds["Indisponible"] == (Kind.UNAVAILABLE, True)


def test_abritel_fixture_reads_the_same_labels() -> None:
    feed = read_feed((FIXTURE_FEEDS / "abritel_localised_labels.ics").read_bytes(), OPTIONS)
    assert [(e.kind, e.is_block) for e in feed.events] == [
        (Kind.RESERVED, False),
        (Kind.TENTATIVE, False),
        (Kind.UNAVAILABLE, True),
    ]


def test_latin1_google_export_reads_its_accents(read_corpus) -> None:
    feed = read_corpus("google/icalevents_basic_latin1_non_utf8.ics")
    utf8 = read_corpus("google/icalevents_basic_google_export.ics")
    assert "not_utf8" in feed.problem_codes()
    assert "graue Restmülltonne" in {e.summary for e in feed.events}
    assert [e.summary for e in feed.events] == [e.summary for e in utf8.events]


def test_floating_times_with_only_x_wr_timezone_land_at_the_right_instant(read_corpus) -> None:
    feed = read_corpus("other/recurring_x_wr_timezone_without_tz_in_dt.ics")
    (event,) = feed.events
    assert isinstance(event.span, Timed)
    assert event.span.start.astimezone(UTC) == datetime(2021, 9, 16, 19, 0, tzinfo=UTC)
    assert event.span.end.astimezone(UTC) == datetime(2021, 9, 16, 20, 45, tzinfo=UTC)


def test_google_utc_times_ignore_x_wr_timezone(read_corpus) -> None:
    feed = read_corpus("google/recurring_x_wr_timezone_only_issue_59.ics")
    assert feed.events[0].span.start.astimezone(UTC) == datetime(2021, 12, 22, 17, 0, tzinfo=UTC)


def test_outlook_windows_tzid_is_eastern_time(read_corpus) -> None:
    feed = read_corpus("outlook/icalendar_issue_836_windows_tzid.ics")
    assert feed.platform == "outlook"
    assert feed.events[0].span.start.astimezone(UTC) == datetime(2024, 10, 28, 21, 0, tzinfo=UTC)


def test_outlook_event_without_uid_gets_a_synthetic_one(read_corpus) -> None:
    feed = read_corpus("outlook/icalevents_no_uid_ms.ics")
    assert feed.events[0].uid_is_synthetic
    assert "missing_uid" in feed.problem_codes()


def test_icloud_occupe_days_are_blocks_and_vtimezone_after_events_is_used(read_corpus) -> None:
    feed = read_corpus("apple/icloud_caldav_rental_blocks_vtimezone_last.ics")
    assert feed.platform == "apple"
    assert "unknown_timezone" not in feed.problem_codes()
    occupe = [e for e in feed.events if e.summary == "Occupé"]
    assert occupe and all(e.kind is Kind.UNAVAILABLE and e.is_block for e in occupe)
