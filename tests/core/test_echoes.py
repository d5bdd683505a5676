from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from icalbridge.core.bookings import Kind
from icalbridge.core.echoes import echo_keys, is_echo
from icalbridge.core.feed import FeedEvent
from icalbridge.core.spans import Nights, StayTimes, Timed

PARIS = ZoneInfo("Europe/Paris")
STAY = StayTimes(PARIS)
D0 = date(2026, 7, 1)


def nights(start: int, end: int) -> Nights:
    return Nights(D0 + timedelta(days=start), D0 + timedelta(days=end))


def block(uid: str, start: int, end: int) -> FeedEvent:
    return FeedEvent(
        uid, nights(start, end), Kind.UNAVAILABLE, "Airbnb (Not available)", None, False, True
    )


def test_block_inside_what_we_served_at_the_last_fetch_is_an_echo() -> None:
    served = [[nights(0, 5)]]

    assert is_echo(block("e", 1, 4), served, STAY)


def test_block_matching_exactly_what_we_served_is_an_echo() -> None:
    assert is_echo(block("e", 0, 5), [[nights(0, 5)]], STAY)


def test_back_to_back_stays_we_served_echo_back_as_one_block() -> None:
    served = [[nights(5, 8), nights(0, 5)]]

    assert is_echo(block("e", 0, 8), served, STAY)


def test_block_with_a_night_outside_what_we_served_is_a_real_block() -> None:
    served = [[nights(0, 5)]]

    assert not is_echo(block("b", 3, 6), served, STAY)


def test_block_with_nights_from_two_different_fetches_is_a_real_block() -> None:
    # The newest fetch saw nights 3-6, the one before saw 0-3: no snapshot holds 0-6.
    served = [[nights(3, 6)], [nights(0, 3)]]

    assert not is_echo(block("b", 0, 6), served, STAY)


def test_block_still_in_the_previous_fetch_is_an_echo_after_a_cancellation_here() -> None:
    # The host cancelled: the newest snapshot no longer has it, the platform has not caught up.
    served = [[], [nights(0, 5)]]

    assert is_echo(block("e", 0, 5), served, STAY)


def test_only_the_last_two_fetches_count() -> None:
    served = [[], [], [nights(0, 5)]]

    assert not is_echo(block("b", 0, 5), served, STAY)


def test_a_reservation_is_never_an_echo() -> None:
    reservation = FeedEvent("r", nights(0, 5), Kind.RESERVED, "Reserved")

    assert not is_echo(reservation, [[nights(0, 5)]], STAY)


def test_nothing_is_an_echo_before_the_channel_ever_fetched_our_feed() -> None:
    assert not is_echo(block("b", 0, 5), [], STAY)


def test_timed_block_echoes_by_the_nights_it_occupies() -> None:
    start = datetime.combine(D0, datetime.min.time(), PARIS) + timedelta(hours=17)
    timed = FeedEvent(
        "t", Timed(start, start + timedelta(hours=3)), Kind.UNAVAILABLE, "", None, False, True
    )

    assert is_echo(timed, [[nights(0, 1)]], STAY)
    assert not is_echo(timed, [[nights(1, 2)]], STAY)


def test_echo_keys_picks_the_echoes_of_a_feed() -> None:
    feed = [
        block("e", 0, 3),
        block("b", 10, 12),
        FeedEvent("r", nights(0, 2), Kind.RESERVED, "Reserved"),
    ]

    assert echo_keys(feed, [[nights(0, 5)], [nights(10, 11)]], STAY) == {"e"}


@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 10)), max_size=6),
    st.integers(0, 70),
    st.integers(1, 10),
)
@settings(max_examples=150)
def test_a_block_is_an_echo_exactly_when_one_snapshot_served_all_its_nights(
    runs: list[tuple[int, int]], start: int, length: int
) -> None:
    snapshot = [nights(s, s + n) for s, n in runs]
    served_nights = {night for run in snapshot for night in run.each_night()}
    candidate = block("x", start, start + length)

    expected = set(candidate.span.each_night()) <= served_nights  # type: ignore[union-attr]

    assert is_echo(candidate, [snapshot], STAY) == expected
