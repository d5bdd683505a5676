from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import icalendar

from icalbridge.core.bookings import Kind
from icalbridge.core.feed import FeedEvent
from icalbridge.core.horizons import HORIZON_MIN_DAYS_AHEAD, HORIZON_MIN_NIGHTS, find_horizon_keys
from icalbridge.core.spans import Nights

TODAY = date(2026, 6, 1)


def stay(uid: str, start: int, end: int, *, block: bool = False) -> FeedEvent:
    return FeedEvent(
        uid=uid,
        span=Nights(TODAY + timedelta(days=start), TODAY + timedelta(days=end)),
        kind=Kind.UNAVAILABLE if block else Kind.RESERVED,
        summary="Airbnb (Not available)" if block else "Reserved",
        is_block=block,
    )


def test_long_block_at_the_far_end_of_an_airbnb_feed_is_a_horizon() -> None:
    feed = [stay("r", 10, 14), stay("h", 200, 365, block=True)]

    assert find_horizon_keys(feed, today=TODAY, platform_id="airbnb") == {"h"}


def test_the_horizon_is_still_recognised_the_next_day_when_it_has_grown() -> None:
    tomorrow = TODAY + timedelta(days=1)
    feed = [stay("r", 10, 14), stay("h", 200, 366, block=True)]

    assert find_horizon_keys(feed, today=tomorrow, platform_id="airbnb") == {"h"}


def test_a_reservation_reaching_the_far_end_is_never_a_horizon() -> None:
    feed = [stay("r", 200, 365)]

    assert find_horizon_keys(feed, today=TODAY, platform_id="airbnb") == frozenset()


def test_a_block_that_stops_before_the_last_stay_is_a_real_block() -> None:
    feed = [stay("h", 200, 300, block=True), stay("r", 310, 315)]

    assert find_horizon_keys(feed, today=TODAY, platform_id="airbnb") == frozenset()


def test_a_short_block_at_the_far_end_is_a_real_block() -> None:
    feed = [stay("b", 365 - HORIZON_MIN_NIGHTS + 1, 365, block=True)]

    assert find_horizon_keys(feed, today=TODAY, platform_id="airbnb") == frozenset()


def test_a_block_of_exactly_the_minimum_length_and_distance_is_a_horizon() -> None:
    end = HORIZON_MIN_DAYS_AHEAD
    feed = [stay("h", end - HORIZON_MIN_NIGHTS, end, block=True)]

    assert find_horizon_keys(feed, today=TODAY, platform_id="airbnb") == {"h"}


def test_a_long_block_ending_in_the_near_future_is_a_real_block() -> None:
    end = HORIZON_MIN_DAYS_AHEAD - 1
    feed = [stay("b", end - 60, end, block=True)]

    assert find_horizon_keys(feed, today=TODAY, platform_id="airbnb") == frozenset()


def test_long_closures_on_booking_com_or_unknown_platforms_stay_real_blocks() -> None:
    feed = [stay("h", 200, 365, block=True)]

    assert find_horizon_keys(feed, today=TODAY, platform_id="booking") == frozenset()
    assert find_horizon_keys(feed, today=TODAY, platform_id=None) == frozenset()


def test_empty_feed_has_no_horizon() -> None:
    assert find_horizon_keys([], today=TODAY, platform_id="airbnb") == frozenset()


def test_real_airbnb_feed_ends_with_its_205_night_horizon_block(corpus_dir: Path) -> None:
    calendar = icalendar.Calendar.from_ical(
        (corpus_dir / "airbnb" / "chilllove_leading_blank_line_lf.ics").read_bytes().strip()
    )
    events = []
    fetched_on: date | None = None
    for component in calendar.walk("VEVENT"):
        summary = str(component["SUMMARY"])
        block = "Not available" in summary
        events.append(
            FeedEvent(
                uid=str(component["UID"]),
                span=Nights(component.decoded("DTSTART"), component.decoded("DTEND")),
                kind=Kind.UNAVAILABLE if block else Kind.RESERVED,
                summary=summary,
                is_block=block,
            )
        )
        stamp = component.decoded("DTSTAMP")
        assert isinstance(stamp, datetime)
        fetched_on = stamp.date()
    assert fetched_on is not None

    keys = find_horizon_keys(events, today=fetched_on, platform_id="airbnb")

    (horizon,) = [e for e in events if e.key in keys]
    assert isinstance(horizon.span, Nights)
    assert horizon.span.count == 205
    assert sum(e.is_block for e in events) == 3
