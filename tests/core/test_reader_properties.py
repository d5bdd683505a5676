"""The reader never raises, whatever the bytes: random ones and damaged real feeds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from icalbridge.core.feed import Feed
from icalbridge.core.ics_read import PROBLEM_CODES, ReadOptions, read_feed
from tests.conftest import FIXTURE_FEEDS, corpus_files

OPTIONS = ReadOptions(today=date(2026, 11, 21))
# The largest files make each example slow without adding shapes the others lack.
SEEDS: list[Path] = [p for p in corpus_files() if p.stat().st_size < 20_000] or sorted(
    FIXTURE_FEEDS.glob("*.ics")
)
SEED_BYTES = [p.read_bytes() for p in SEEDS]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_sound(feed: Feed) -> None:
    assert isinstance(feed, Feed)
    assert feed.problem_codes() <= set(PROBLEM_CODES)
    keys = [e.key for e in feed.events]
    assert len(keys) == len(set(keys))
    if not feed.is_calendar:
        assert feed.events == ()


@st.composite
def damaged_feeds(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEED_BYTES)))
    for _ in range(draw(st.integers(0, 3))):
        damage = draw(st.sampled_from(["flip", "cut", "drop_line", "insert"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if damage == "flip":
            data[at] = draw(st.integers(0, 255))
        elif damage == "cut":
            del data[at:]
        elif damage == "insert":
            data[at:at] = draw(st.binary(max_size=12))
        else:
            lines = bytes(data).split(b"\n")
            del lines[at % len(lines)]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@FAST
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assert_sound(read_feed(data, OPTIONS))


@FAST
@given(st.text(alphabet="BEGIN:VCALENDAREVTDS;=\r\n 0123456789TZ", max_size=400))
def test_calendar_shaped_noise_never_raises(text: str) -> None:
    assert_sound(read_feed(text.encode(), OPTIONS))


@FAST
@given(damaged_feeds())
def test_damaged_real_feeds_never_raise(data: bytes) -> None:
    assert_sound(read_feed(data, OPTIONS))


@FAST
@given(st.sampled_from(SEED_BYTES), st.data())
def test_a_feed_cut_before_its_end_is_never_applied(data: bytes, draw: st.DataObject) -> None:
    # Before the first end: a cut between two calendars leaves a whole, valid one.
    end = data.find(b"END:VCALENDAR")
    assume(end > 0)
    cut = draw.draw(st.integers(0, end - 1))
    feed = read_feed(data[:cut], OPTIONS)
    assert_sound(feed)
    assert not feed.can_be_applied
