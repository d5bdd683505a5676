"""Timed bookings on a day's hour rows: cut to the day, side by side when they share time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from icalbridge.core.agenda_layout import (
    DayPiece,
    first_free_hour,
    ids_in_slot,
    lanes_of,
    nights_on_day,
    pieces_on_day,
    place_column,
    row_window,
)
from icalbridge.core.day_hours import day_span, hours_of_day, rows_of, week_of
from icalbridge.core.spans import Nights, Timed

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 3, 10)
SPRING_FORWARD = date(2026, 3, 29)
FALL_BACK = date(2026, 10, 25)


def at(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, fold=fold), PARIS)


def lesson(id_: str, day: date, start: tuple[int, int], end: tuple[int, int]) -> tuple[str, Timed]:
    return id_, Timed(at(day, *start), at(day, *end))


def column(day: date, *spans: tuple[str, Timed]) -> dict[str, tuple[float, float, int, int]]:
    slots = hours_of_day(day, PARIS)
    placed = place_column(pieces_on_day(spans, day, PARIS), slots, rows_of([slots]))
    return {p.piece.id: (p.top, p.bottom, p.lane, p.lanes) for p in placed}


def test_a_lesson_from_10_to_11_fills_the_10_oclock_row() -> None:
    assert column(DAY, lesson("piano", DAY, (10, 0), (11, 0))) == {"piano": (10, 11, 0, 1)}


def test_a_lesson_at_half_past_starts_half_way_down_its_row() -> None:
    assert column(DAY, lesson("solfege", DAY, (9, 30), (10, 15))) == {"solfege": (9.5, 10.25, 0, 1)}


def test_two_lessons_sharing_an_hour_sit_side_by_side_and_the_next_one_takes_the_width() -> None:
    placed = column(
        DAY,
        lesson("piano", DAY, (10, 0), (11, 0)),
        lesson("violon", DAY, (10, 30), (11, 30)),
        lesson("chorale", DAY, (14, 0), (15, 0)),
    )
    assert placed["piano"][2:] == (0, 2)
    assert placed["violon"][2:] == (1, 2)
    assert placed["chorale"][2:] == (0, 1)


def test_back_to_back_lessons_share_one_lane() -> None:
    placed = column(DAY, lesson("a", DAY, (10, 0), (11, 0)), lesson("b", DAY, (11, 0), (12, 0)))
    assert placed["a"][2:] == placed["b"][2:] == (0, 1)


def test_a_booking_over_midnight_is_cut_into_one_piece_a_day_that_says_it_goes_on() -> None:
    night = ("stage", Timed(at(DAY, 20), at(DAY + timedelta(days=1), 2)))
    first = pieces_on_day([night], DAY, PARIS)
    second = pieces_on_day([night], DAY + timedelta(days=1), PARIS)
    assert (first[0].start, first[0].ends_after, first[0].starts_before) == (
        at(DAY, 20),
        True,
        False,
    )
    assert (second[0].end, second[0].starts_before) == (at(DAY + timedelta(days=1), 2), True)
    assert pieces_on_day([night], DAY + timedelta(days=2), PARIS) == []
    assert column(DAY, night)["stage"][:2] == (20, 24)


def test_a_lesson_across_the_hour_the_clocks_skip_lasts_one_real_hour() -> None:
    # 01:30 to 03:30 on the last Sunday of March is one hour: 02:00 never comes.
    placed = column(SPRING_FORWARD, lesson("x", SPRING_FORWARD, (1, 30), (3, 30)))
    assert placed["x"][:2] == (1.5, 2.5)
    # In a week, the other days keep a 02:00 row; that day's lesson is drawn across it.
    slots = [hours_of_day(d, PARIS) for d in week_of(SPRING_FORWARD)]
    rows = rows_of(slots)
    sunday = slots[6]
    pieces = pieces_on_day([lesson("x", SPRING_FORWARD, (1, 30), (3, 30))], SPRING_FORWARD, PARIS)
    (drawn,) = place_column(pieces, sunday, rows)
    assert (drawn.top, drawn.bottom) == (1.5, 3.5)


def test_a_lesson_ending_when_the_clocks_jump_stops_under_its_hour() -> None:
    pieces = pieces_on_day([lesson("x", SPRING_FORWARD, (1, 0), (3, 0))], SPRING_FORWARD, PARIS)
    rows = rows_of(hours_of_day(d, PARIS) for d in week_of(SPRING_FORWARD))
    (drawn,) = place_column(pieces, hours_of_day(SPRING_FORWARD, PARIS), rows)
    assert (drawn.top, drawn.bottom) == (1, 2)


def test_the_hour_clocks_repeat_holds_two_lessons_one_after_the_other() -> None:
    first = ("first", Timed(at(FALL_BACK, 2, 15), at(FALL_BACK, 2, 45)))
    second = ("second", Timed(at(FALL_BACK, 2, 15, fold=1), at(FALL_BACK, 2, 45, fold=1)))
    placed = column(FALL_BACK, first, second)
    assert placed["first"] == (2.25, 2.75, 0, 1)
    assert placed["second"] == (3.25, 3.75, 0, 1)


def test_an_instant_is_placed_as_a_point_and_shares_a_lane_with_nothing_at_that_time() -> None:
    placed = column(
        DAY,
        ("call", Timed(at(DAY, 10), at(DAY, 10))),
        lesson("piano", DAY, (10, 0), (11, 0)),
    )
    assert placed["call"][:2] == (10, 10)
    assert {placed["call"][2], placed["piano"][2]} == {0, 1}


def test_all_day_bookings_are_listed_on_each_of_their_nights() -> None:
    spans = [("holiday", Nights(DAY, DAY + timedelta(days=2)))]
    assert nights_on_day(spans, DAY + timedelta(days=1)) == ["holiday"]
    assert nights_on_day(spans, DAY + timedelta(days=2)) == []


def test_the_hours_shown_are_8_to_20_unless_a_booking_lies_outside() -> None:
    slots = hours_of_day(DAY, PARIS)
    rows = rows_of([slots])
    assert row_window(rows, [], time(8), time(20)) == (8, 20)
    late = place_column(
        pieces_on_day([lesson("late", DAY, (21, 30), (22, 15))], DAY, PARIS), slots, rows
    )
    assert row_window(rows, late, time(8), time(20)) == (8, 23)


def test_a_slot_lists_the_bookings_that_touch_it_and_the_first_free_hour_is_after_them() -> None:
    slots = hours_of_day(DAY, PARIS)
    pieces = pieces_on_day(
        [lesson("a", DAY, (9, 0), (10, 30)), lesson("b", DAY, (10, 15), (11, 0))], DAY, PARIS
    )
    placed = place_column(pieces, slots, rows_of([slots]))
    assert ids_in_slot(placed, slots[10]) == ["a", "b"]
    assert ids_in_slot(placed, slots[11]) == []
    free = first_free_hour(pieces, slots, time(9), time(22))
    assert free is not None and free.key.label == time(11)


# Property tests: any bookings on any day of 2026 in Paris, the two DST days included.
DAYS_2026 = st.sampled_from([DAY, SPRING_FORWARD, FALL_BACK, date(2026, 3, 28)])


@st.composite
def bookings_around(draw: st.DrawFn) -> tuple[date, list[tuple[str, Timed]]]:
    day = draw(DAYS_2026)
    origin = day_span(day, PARIS).start - timedelta(hours=6)
    count = draw(st.integers(0, 12))
    spans = []
    for i in range(count):
        start = origin + timedelta(minutes=15 * draw(st.integers(0, 4 * 36)))
        length = timedelta(minutes=15 * draw(st.integers(0, 4 * 10)))
        spans.append((f"b{i}", Timed(start, start + length)))
    return day, spans


def _most_at_once(pieces: list[DayPiece]) -> int:
    return max(
        (sum(Timed(p.start, p.start).overlaps(q.span) for q in pieces) for p in pieces), default=0
    )


@settings(max_examples=200)
@given(bookings_around())
def test_overlapping_pieces_never_share_a_lane_and_lanes_are_as_few_as_can_be(
    case: tuple[date, list[tuple[str, Timed]]],
) -> None:
    day, spans = case
    pieces = pieces_on_day(spans, day, PARIS)
    lanes = lanes_of(pieces)
    assert set(lanes) == {p.id for p in pieces}
    for a in pieces:
        assert 0 <= lanes[a.id][0] < lanes[a.id][1]
        for b in pieces:
            if a.id != b.id and a.span.overlaps(b.span):
                assert lanes[a.id][0] != lanes[b.id][0]
                assert lanes[a.id][1] == lanes[b.id][1]  # one group: drawn at one width
    if pieces:
        assert max(count for _lane, count in lanes.values()) == _most_at_once(pieces)


@settings(max_examples=200)
@given(bookings_around())
def test_every_piece_of_the_day_is_drawn_once_as_long_as_it_lasts(
    case: tuple[date, list[tuple[str, Timed]]],
) -> None:
    day, spans = case
    whole = day_span(day, PARIS)
    slots = hours_of_day(day, PARIS)
    placed = place_column(pieces_on_day(spans, day, PARIS), slots, rows_of([slots]))
    assert sorted(p.piece.id for p in placed) == sorted(
        id_ for id_, span in spans if span.overlaps(whole)
    )
    for p in placed:
        # Every hour of Paris is a real hour, on the 23- and 25-hour days too.
        hours = (p.piece.end - p.piece.start).total_seconds() / 3600
        assert abs((p.bottom - p.top) - hours) < 1e-9
        assert 0 <= p.top <= p.bottom <= len(slots)
