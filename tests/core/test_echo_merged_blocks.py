"""Blocks a platform merges with the nights we served it, and blocks it showed before we did."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from icalbridge.core.bookings import Booking, Kind
from icalbridge.core.echoes import blocks_on_own_nights, real_block_nights, without_served_nights
from icalbridge.core.feed import FeedEvent
from icalbridge.core.spans import Nights, StayTimes

STAY = StayTimes(ZoneInfo("Europe/Paris"))
D0 = date(2027, 5, 1)


def nights(start: int, end: int) -> Nights:
    return Nights(D0 + timedelta(days=start), D0 + timedelta(days=end))


def block(uid: str, start: int, end: int) -> FeedEvent:
    return FeedEvent(uid, nights(start, end), Kind.UNAVAILABLE, "Indisponible", is_block=True)


def stored(uid: str, start: int, end: int, *, is_echo: bool = False) -> Booking:
    return Booking(
        id=uid,
        span=nights(start, end),
        kind=Kind.UNAVAILABLE,
        origin="7",
        is_block=True,
        is_echo=is_echo,
        remote_uid=uid,
    )


def test_a_block_keeps_only_the_nights_we_did_not_serve() -> None:
    events = without_served_nights([block("m", 8, 14)], [nights(10, 14)], STAY, frozenset())

    assert [(e.key, e.span) for e in events] == [("m", nights(8, 10))]


def test_a_block_around_our_nights_splits_into_its_own_runs() -> None:
    events = without_served_nights([block("m", 5, 14)], [nights(8, 10)], STAY, frozenset())

    assert [(e.key, e.span) for e in events] == [("m", nights(5, 8)), ("m#2", nights(10, 14))]


def test_stays_kept_events_and_blocks_apart_from_our_nights_are_untouched() -> None:
    stay = FeedEvent("r", nights(8, 14), Kind.RESERVED, "Reserved")
    kept, apart = block("k", 8, 14), block("a", 1, 3)

    events = without_served_nights([stay, kept, apart], [nights(10, 14)], STAY, frozenset({"k"}))

    assert events == (stay, kept, apart)


def test_a_block_holding_a_night_stored_as_real_is_the_platforms_own() -> None:
    events = [
        block("old", 1, 4),
        block("grown", 5, 9),
        block("merged", 10, 14),
        block("echo", 16, 18),
        FeedEvent("stay", nights(20, 23), Kind.RESERVED, "Reserved"),
    ]
    stored_imports = [
        stored("old", 1, 4),
        stored("moved", 5, 8),
        stored("own-night", 11, 12),
        stored("echo", 16, 18, is_echo=True),
        stored("stay", 20, 23),
    ]
    own = blocks_on_own_nights(events, real_block_nights(stored_imports, STAY), STAY)

    assert own == frozenset({"old", "grown", "merged"})


def test_nights_the_platform_showed_as_its_own_before_are_never_cut() -> None:
    events = without_served_nights(
        [block("m", 8, 14)], [nights(9, 14)], STAY, frozenset(), known=[nights(8, 10)]
    )

    assert [(e.key, e.span) for e in events] == [("m", nights(8, 10))]


def test_only_the_real_blocks_stored_are_the_platforms_own_nights() -> None:
    own, echo = stored("own", 1, 4), stored("echo", 10, 12, is_echo=True)
    stay = Booking(id="r", span=nights(5, 8), kind=Kind.RESERVED, origin="7")

    assert real_block_nights([own, echo, stay], STAY) == [nights(1, 4)]
