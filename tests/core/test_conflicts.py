from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from icalbridge.core.bookings import LOCAL_ORIGIN, Booking, Kind
from icalbridge.core.conflicts import Conflict, find_conflicts
from icalbridge.core.spans import Nights, StayTimes, Timed, spans_overlap

PARIS = ZoneInfo("Europe/Paris")
STAY = StayTimes(PARIS)
D0 = date(2026, 7, 1)
AIRBNB = "ch-airbnb"
BOOKING_COM = "ch-booking"
ORIGINS = (LOCAL_ORIGIN, AIRBNB, BOOKING_COM)


def blocks_may_be_reservations(origin: str) -> bool:
    return origin == BOOKING_COM


def nights(start: int, end: int) -> Nights:
    return Nights(D0 + timedelta(days=start), D0 + timedelta(days=end))


def at(day: int, hour: int) -> datetime:
    return datetime.combine(D0 + timedelta(days=day), datetime.min.time(), PARIS) + timedelta(
        hours=hour
    )


def bk(
    id_: str,
    origin: str,
    kind: Kind,
    start: int,
    end: int,
    *,
    is_echo: bool = False,
    is_horizon: bool = False,
) -> Booking:
    return Booking(
        id=id_,
        span=nights(start, end),
        kind=kind,
        origin=origin,
        is_echo=is_echo,
        is_horizon=is_horizon,
    )


def conflicts(*bookings: Booking) -> list[Conflict]:
    return find_conflicts(bookings, STAY, blocks_may_be_reservations)


def test_booking_com_closed_nights_over_an_airbnb_reservation_are_a_double_booking() -> None:
    found = conflicts(
        bk("a", AIRBNB, Kind.RESERVED, 0, 5),
        bk("b", BOOKING_COM, Kind.UNAVAILABLE, 3, 8),
    )

    assert found == [Conflict("a", "b", nights(3, 5), nights(3, 5).start, nights(3, 5).end)]


def test_two_reservations_of_different_origins_are_a_double_booking() -> None:
    found = conflicts(
        bk("z", LOCAL_ORIGIN, Kind.RESERVED, 2, 4), bk("y", AIRBNB, Kind.RESERVED, 0, 9)
    )

    assert [(c.first_id, c.second_id, c.nights) for c in found] == [("y", "z", nights(2, 4))]


def test_airbnb_not_available_over_a_local_reservation_is_no_conflict() -> None:
    found = conflicts(
        bk("l", LOCAL_ORIGIN, Kind.RESERVED, 0, 5),
        bk("a", AIRBNB, Kind.UNAVAILABLE, 0, 5),
    )

    assert found == []


def test_an_echo_is_never_a_conflict() -> None:
    found = conflicts(
        bk("l", LOCAL_ORIGIN, Kind.RESERVED, 0, 5),
        bk("e", BOOKING_COM, Kind.UNAVAILABLE, 0, 5, is_echo=True),
        bk("r", AIRBNB, Kind.RESERVED, 0, 5, is_echo=True),
    )

    assert found == []


def test_a_horizon_block_is_never_a_conflict() -> None:
    found = conflicts(
        bk("l", LOCAL_ORIGIN, Kind.RESERVED, 200, 205),
        bk("h", AIRBNB, Kind.RESERVED, 150, 365, is_horizon=True),
    )

    assert found == []


def test_the_hosts_own_block_is_never_a_conflict() -> None:
    found = conflicts(
        bk("own", LOCAL_ORIGIN, Kind.UNAVAILABLE, 0, 5),
        bk("a", AIRBNB, Kind.RESERVED, 0, 5),
    )

    assert found == []


def test_back_to_back_stays_are_no_conflict() -> None:
    found = conflicts(
        bk("a", AIRBNB, Kind.RESERVED, 0, 5),
        bk("b", BOOKING_COM, Kind.UNAVAILABLE, 5, 8),
        bk("l", LOCAL_ORIGIN, Kind.RESERVED, 8, 9),
    )

    assert found == []


def test_same_origin_overlaps_are_the_platforms_business() -> None:
    found = conflicts(bk("a", AIRBNB, Kind.RESERVED, 0, 5), bk("b", AIRBNB, Kind.RESERVED, 2, 6))

    assert found == []


def test_two_ambiguous_blocks_are_no_conflict() -> None:
    found = conflicts(
        bk("b", BOOKING_COM, Kind.UNAVAILABLE, 0, 5),
        bk("a", AIRBNB, Kind.UNAVAILABLE, 0, 5),
    )

    assert found == []


def test_a_tentative_stay_over_a_reservation_of_another_origin_is_surfaced() -> None:
    found = conflicts(
        bk("t", "ch-abritel", Kind.TENTATIVE, 0, 3),
        bk("l", LOCAL_ORIGIN, Kind.RESERVED, 2, 4),
    )

    assert [(c.first_id, c.second_id) for c in found] == [("l", "t")]


def test_timed_bookings_conflict_by_their_hours() -> None:
    lesson = Booking("a", Timed(at(0, 9), at(0, 11)), Kind.RESERVED, origin=LOCAL_ORIGIN)
    rehearsal = Booking("b", Timed(at(0, 10), at(0, 12)), Kind.RESERVED, origin=AIRBNB)
    later = Booking("c", Timed(at(0, 11), at(0, 12)), Kind.RESERVED, origin=BOOKING_COM)

    found = conflicts(lesson, rehearsal, later)

    assert found == [
        Conflict("a", "b", None, at(0, 10), at(0, 11)),
        Conflict("b", "c", None, at(0, 11), at(0, 12)),
    ]


def test_timed_booking_conflicts_with_a_stay_over_the_night_it_occupies() -> None:
    evening = Booking("t", Timed(at(2, 18), at(2, 20)), Kind.RESERVED, origin=LOCAL_ORIGIN)

    found = conflicts(evening, bk("s", AIRBNB, Kind.RESERVED, 2, 3))

    assert [(c.first_id, c.second_id, c.nights) for c in found] == [("s", "t", nights(2, 3))]


booking_lists = st.lists(
    st.builds(
        lambda i, origin, kind, start, length, echo: Booking(
            id=f"b{i}",
            span=nights(start, start + length),
            kind=kind,
            origin=origin,
            is_echo=echo,
        ),
        st.integers(0, 10_000),
        st.sampled_from(ORIGINS),
        st.sampled_from(list(Kind)),
        st.integers(0, 40),
        st.integers(1, 10),
        st.booleans(),
    ),
    max_size=15,
    unique_by=lambda b: b.id,
)


@given(booking_lists)
@settings(max_examples=150)
def test_conflicts_are_the_pairs_the_rules_name_whatever_the_order(bookings: list[Booking]) -> None:
    def is_stay(b: Booking) -> bool:
        return b.kind in (Kind.RESERVED, Kind.TENTATIVE)

    def may_be_stay(b: Booking) -> bool:
        return is_stay(b) or (b.kind == Kind.UNAVAILABLE and b.origin == BOOKING_COM)

    expected = {
        tuple(sorted((a.id, b.id)))
        for a in bookings
        for b in bookings
        if a.origin != b.origin
        and not a.is_echo
        and not b.is_echo
        and is_stay(a)
        and may_be_stay(b)
        and spans_overlap(a.span, b.span, STAY)
    }

    found = conflicts(*bookings)

    assert {(c.first_id, c.second_id) for c in found} == expected
    assert conflicts(*reversed(bookings)) == found
    assert all(c.first_id < c.second_id for c in found)
    by_id = {b.id: b for b in bookings}
    assert all(by_id[c.first_id].origin != by_id[c.second_id].origin for c in found)


def test_thousands_of_bookings_are_checked_by_a_sweep_not_pair_by_pair() -> None:
    bookings = [
        bk(f"{origin}-{i:05d}", origin, Kind.RESERVED, 3 * i, 3 * i + 3)
        for i in range(3000)
        for origin in (AIRBNB, LOCAL_ORIGIN)
    ]

    started = time.perf_counter()
    found = conflicts(*bookings)
    elapsed = time.perf_counter() - started

    assert len(found) == 3000
    assert elapsed < 2.0
