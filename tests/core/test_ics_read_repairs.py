"""Repairs of damaged feeds touch only what is unambiguous, and say what they did."""

from __future__ import annotations

from datetime import date

from icalbridge.core.feed import Feed
from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.core.reconcile import HoldReason, plan_import
from icalbridge.core.spans import Nights
from tests.conftest import FIXTURE_FEEDS

TODAY = date(2026, 12, 7)


def read(name: str) -> Feed:
    return read_feed((FIXTURE_FEEDS / name).read_bytes(), ReadOptions(today=TODAY))


def params(feed: Feed, code: str) -> dict[str, str]:
    return next(dict(p.params) for p in feed.problems if p.code == code)


def test_a_line_without_colon_after_a_short_line_is_not_glued_to_the_uid() -> None:
    feed = read("apple_lost_folding_space.ics")
    martin = next(e for e in feed.events if e.summary == "Famille Martin")
    assert martin.uid == "123"
    assert martin.span == Nights(date(2027, 2, 10), date(2027, 2, 14))


def test_a_stray_line_after_a_start_date_leaves_the_date_and_its_event_whole() -> None:
    feed = read("apple_lost_folding_space.ics")
    works = next(e for e in feed.events if e.uid == "456")
    assert works.span == Nights(date(2027, 3, 1), date(2027, 3, 5))
    assert "bad_date" not in feed.problem_codes()


def test_a_line_cut_at_75_octets_that_lost_its_folding_space_is_joined_and_reported() -> None:
    feed = read("apple_lost_folding_space.ics")
    assert [e.uid for e in feed.events] == [
        "123",
        "456",
        "789-a-long-identifier-written-by-a-tool-that-folds-its-lines-at-seventy-five-octets"
        "@apple.example",
    ]
    assert params(feed, "broken_fold") == {"count": "1"}
    assert params(feed, "junk_line") == {"count": "2"}


def test_one_mistyped_end_line_hides_no_later_event() -> None:
    feed = read("other_mistyped_end_line.ics")
    assert [e.uid for e in feed.events] == [f"stay-{k:02d}@gites.example" for k in range(1, 16)]
    assert feed.events[0].span == Nights(date(2027, 1, 1), date(2027, 1, 3))
    assert feed.events[-1].span == Nights(date(2027, 1, 29), date(2027, 1, 31))


def test_a_mistyped_end_line_is_reported_and_the_feed_frees_nothing() -> None:
    feed = read("other_mistyped_end_line.ics")
    assert params(feed, "unclosed_component") == {"count": "1"}
    assert "truncated" not in feed.problem_codes()
    assert feed.is_truncated and not feed.can_be_applied


def test_a_damaged_feed_adds_the_stays_it_holds_whole_and_cancels_nothing() -> None:
    feed = read("other_mistyped_end_line.ics")

    plan = plan_import(feed.events, [], today=TODAY, feed_is_truncated=feed.is_truncated)

    assert plan.hold_reason == HoldReason.TRUNCATED
    assert len(plan.add) == 15
    assert plan.change == plan.cancel == ()


REUSED = "0f5c2a4e9b7d4c1e8a3f6b2d9c0e1a47@booking.com"
COPIED = "7a1e3c5b9d2f4e6a8c0b1d3f5e7a9c2b@booking.com"


def test_a_uid_reused_for_two_stays_keeps_both_with_keys_stable_across_imports() -> None:
    feed = read("booking_reused_uid_two_stays.ics")
    assert [(e.key, e.span) for e in feed.events] == [
        (REUSED, Nights(date(2027, 1, 2), date(2027, 1, 5))),
        (f"{REUSED}#20270115", Nights(date(2027, 1, 15), date(2027, 1, 19))),
        (COPIED, Nights(date(2027, 2, 1), date(2027, 2, 3))),
    ]
    assert params(feed, "duplicate_uid_kept") == {"count": "2"}
    assert next(p.uid for p in feed.problems if p.code == "duplicate_uid_kept") == REUSED
    assert params(feed, "duplicate_uid") == {"count": "1"}


def test_the_keys_of_a_reused_uid_do_not_depend_on_the_order_of_the_feed() -> None:
    data = (FIXTURE_FEEDS / "booking_reused_uid_two_stays.ics").read_bytes()
    first, second, rest = data.split(b"BEGIN:VEVENT", 3)[1:4]
    head = data.split(b"BEGIN:VEVENT")[0]
    swapped = head + b"BEGIN:VEVENT" + second + b"BEGIN:VEVENT" + first + b"BEGIN:VEVENT" + rest
    feed, again = read("booking_reused_uid_two_stays.ics"), read_feed(swapped, ReadOptions(TODAY))
    assert [(e.key, e.span) for e in again.events] == [(e.key, e.span) for e in feed.events]
