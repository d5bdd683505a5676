from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from icalbridge.core.bookings import Booking, Kind
from icalbridge.core.own_bookings import (
    DateProblem,
    OwnProblem,
    date_problem,
    days_of,
    farthest_day,
    overlapping_own,
    own_booking_problem,
    share_a_channel,
)
from icalbridge.core.spans import Nights, StayTimes, Timed

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


def judged(candidate: Booking, before: Booking | None, others: list[Booking]) -> OwnProblem | None:
    return own_booking_problem(candidate, before, others, today=TODAY, stay=STAY)


def test_a_new_block_is_judged_on_its_dates_first_then_on_the_host_s_own() -> None:
    first = own("a", 10, 15)
    assert judged(
        Booking("b", Nights(date(2020, 7, 1), date(2020, 7, 4)), Kind.UNAVAILABLE), None, [first]
    ) == (OwnProblem(dates=DateProblem.PAST))
    assert judged(own("b", 12, 14), None, [first]) == OwnProblem(over=first)
    assert judged(own("b", 15, 17), None, [first]) is None


def test_an_unchanged_booking_is_not_judged_again() -> None:
    last_week = own("a", -7, -3)
    assert judged(last_week, last_week, []) is None
    both = [own("a", 10, 15), own("b", 12, 14)]
    assert judged(both[1], both[1], both) is None


def test_a_booking_given_new_channels_is_judged_on_the_overlap_only() -> None:
    last_week = own("a", -7, -3, frozenset({"1"}))
    assert judged(own("a", -7, -3), last_week, [last_week]) is None
    kept = own("k", 10, 15)
    scoped = own("b", 12, 14, frozenset({"1"}))
    assert judged(own("b", 12, 14), scoped, [kept, scoped]) == OwnProblem(over=kept)


def test_a_move_into_the_past_or_onto_another_own_booking_is_refused() -> None:
    kept, moving = own("k", 10, 15), own("m", 20, 22)
    assert judged(own("m", -9, -7), moving, [kept, moving]) == OwnProblem(dates=DateProblem.PAST)
    assert judged(own("m", 14, 16), moving, [kept, moving]) == OwnProblem(over=kept)


def test_a_timed_booking_counts_the_days_it_touches_where_the_unit_is() -> None:
    lesson = Timed(
        datetime(2026, 12, 6, 23, 30, tzinfo=STAY.zone),
        datetime(2026, 12, 7, 0, 30, tzinfo=STAY.zone),
    )
    assert days_of(lesson, STAY) == Nights(date(2026, 12, 6), date(2026, 12, 7))
    assert date_problem(days_of(lesson, STAY), TODAY) is DateProblem.PAST


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
