from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from icalbridge.core.bookings import Kind
from icalbridge.core.feed import Feed, FeedEvent
from icalbridge.core.feed_limits import (
    MAX_KEY_CHARS,
    FeedLimits,
    clean_text,
    dated_events_in_window,
    limit_feed,
)
from icalbridge.core.spans import Nights

TODAY = date(2026, 12, 7)
WINDOW = (TODAY - timedelta(days=365), TODAY + timedelta(days=3 * 365))
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def event(uid: str, start: date, summary: str = "Reserved") -> FeedEvent:
    return FeedEvent(uid, Nights(start, start + timedelta(days=1)), Kind.RESERVED, summary)


def feed_of(*events: FeedEvent) -> Feed:
    return Feed(events=events)


@given(st.text())
def test_a_cleaned_text_has_no_control_nor_text_direction_character(text: str) -> None:
    cleaned = clean_text(text)
    assert not any(unicodedata.category(c) == "Cc" for c in cleaned)
    assert not any(c in BIDI for c in cleaned)
    # Nothing else is touched: printable text comes back as it was.
    assert cleaned == text or not text.isprintable()


def test_a_nul_and_a_right_to_left_override_are_removed_and_line_breaks_become_spaces() -> None:
    assert clean_text("Réservé\x00 \u202eevil\u202c\nnext") == "Réservé evil next"


def test_a_feed_over_the_cap_inside_the_window_is_refused_whole() -> None:
    inside = [event(f"in-{i}", TODAY + timedelta(days=i)) for i in range(11)]
    limited = limit_feed(feed_of(*inside), FeedLimits(WINDOW, max_events=10))
    assert limited.is_over_cap and limited.events_in_window == 11


def test_events_outside_the_window_do_not_count_against_the_cap() -> None:
    inside = [event(f"in-{i}", TODAY + timedelta(days=i)) for i in range(10)]
    old = [event(f"old-{i}", WINDOW[0] - timedelta(days=10 + i)) for i in range(50)]
    limited = limit_feed(feed_of(*inside, *old), FeedLimits(WINDOW, max_events=10))
    assert not limited.is_over_cap and len(limited.feed.events) == 60


def test_a_long_title_is_cut_and_the_cut_is_reported() -> None:
    limited = limit_feed(feed_of(event("a", TODAY, "x" * 5000)), FeedLimits(WINDOW))
    (kept,) = limited.feed.events
    assert len(kept.summary) <= 201
    assert [p.code for p in limited.feed.problems] == ["text_cut"]


def test_control_characters_in_a_title_are_reported() -> None:
    limited = limit_feed(feed_of(event("a", TODAY, "Stay\x00\u202e")), FeedLimits(WINDOW))
    assert limited.feed.events[0].summary == "Stay"
    assert [p.code for p in limited.feed.problems] == ["text_cleaned"]


def test_an_absurdly_long_uid_gets_a_short_key_that_stays_the_same_from_import_to_import() -> None:
    long_uid = "u" * 10_000
    first = limit_feed(feed_of(event(long_uid, TODAY)), FeedLimits(WINDOW)).feed.events[0]
    again = limit_feed(feed_of(event(long_uid, TODAY)), FeedLimits(WINDOW)).feed.events[0]
    other = limit_feed(feed_of(event("v" + long_uid, TODAY)), FeedLimits(WINDOW)).feed.events[0]
    assert len(first.key) <= MAX_KEY_CHARS
    assert first.key == again.key != other.key


def test_the_raw_count_finds_the_dated_events_inside_the_window_only() -> None:
    lines = [b"BEGIN:VCALENDAR"]
    for day in (TODAY, TODAY + timedelta(days=30), WINDOW[0] - timedelta(days=1), WINDOW[1]):
        lines += [b"BEGIN:VEVENT", b"DTSTART;VALUE=DATE:" + day.strftime("%Y%m%d").encode()]
        lines += [b"END:VEVENT"]
    lines += [b"BEGIN:VEVENT", b"DTSTART;TZID=Europe/Paris:20261210T160000", b"END:VEVENT"]
    body = b"\r\n".join([*lines, b"END:VCALENDAR"])
    assert dated_events_in_window(body, WINDOW) == 3
