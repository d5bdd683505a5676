from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from icalbridge.core.bookings import Booking, Kind
from icalbridge.core.own_bookings import (
    DateProblem,
    date_problem,
    farthest_day,
    overlapping_own,
    share_a_channel,
)
from icalbridge.core.spans import Nights, StayTimes

STAY = StayTimes(ZoneInfo("Europe/Paris"))
TODAY = date(2026, 12, 7)


def nights(start: int, end: int) -> Nights:
    return Nights(TODAY + timedelta(days=start), TODAY + timedelta(days=end))


def own(id_: str, start: int, end: int, scope: frozenset[str] | None = None) -> Booking:
    return Booking(id_, nights(start, end), Kind.UNAVAILABLE, scope=scope)


def test_a_block_over_2020_is_past_and_one_in_2099_too_far_ahead() -> None:
    assert date_problem(Nights(date(2020, 7, 1), date(2020, 7, 4)), TODAY) is DateProblem.PAST
    assert date_problem(Nights(date(2099, 7, 1), date(2099, 7, 4)), TODAY) is DateProblem.TOO_FAR


def test_a_stay_under_way_and_one_next_year_are_of_use() -> None:
    assert date_problem(nights(-2, 3), TODAY) is None
    assert date_problem(nights(300, 305), TODAY) is None
    last = farthest_day(TODAY)
    assert date_problem(Nights(last, last + timedelta(days=1)), TODAY) is None
    assert date_problem(Nights(last + timedelta(days=1), last + timedelta(days=2)), TODAY) == (
        DateProblem.TOO_FAR
    )


def test_a_stay_that_left_this_morning_is_past() -> None:
    assert date_problem(nights(-3, 0), TODAY) is DateProblem.PAST


def test_a_second_block_over_the_same_nights_lies_over_the_first() -> None:
    first = own("a", 10, 15)
    assert overlapping_own(own("b", 12, 14), [first], STAY) == [first]
    assert overlapping_own(own("b", 15, 17), [first], STAY) == []  # back to back


def test_a_booking_being_changed_does_not_lie_over_itself() -> None:
    first = own("a", 10, 15)
    assert overlapping_own(own("a", 11, 16), [first], STAY) == []


def test_blocks_on_different_platforms_may_share_nights() -> None:
    on_booking = own("a", 10, 15, frozenset({"booking"}))
    on_airbnb = own("b", 12, 20, frozenset({"airbnb"}))
    assert overlapping_own(on_airbnb, [on_booking], STAY) == []
    everywhere = own("c", 12, 13)
    assert overlapping_own(everywhere, [on_booking, on_airbnb], STAY) == [on_booking, on_airbnb]


def test_an_imported_stay_is_never_the_hosts_own() -> None:
    stay = Booking("s", nights(10, 15), Kind.RESERVED, origin="7")
    assert overlapping_own(own("b", 12, 14), [stay], STAY) == []


scopes = st.one_of(st.none(), st.frozensets(st.sampled_from(["1", "2", "3"]), max_size=3))


@given(scopes, scopes)
def test_sharing_a_channel_goes_both_ways(
    a: frozenset[str] | None, b: frozenset[str] | None
) -> None:
    assert share_a_channel(own("a", 0, 1, a), own("b", 0, 1, b)) == share_a_channel(
        own("b", 0, 1, b), own("a", 0, 1, a)
    )


@given(st.integers(0, 40), st.integers(1, 9), st.integers(0, 40), st.integers(1, 9), scopes, scopes)
def test_lying_over_goes_both_ways(
    s1: int, n1: int, s2: int, n2: int, a: frozenset[str] | None, b: frozenset[str] | None
) -> None:
    first, second = own("a", s1, s1 + n1, a), own("b", s2, s2 + n2, b)
    assert bool(overlapping_own(first, [second], STAY)) == bool(
        overlapping_own(second, [first], STAY)
    )
