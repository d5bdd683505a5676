"""The month grid draws each booking as one bar and never hides a double booking."""

from __future__ import annotations

from datetime import date

from icalbridge.web.month_grid import (
    GridEntry,
    conflict_days_of,
    days_of_month,
    row_segments,
    shifted_month,
)

JULY = days_of_month(date(2026, 7, 15))


def test_a_month_has_all_its_days_and_wraps_across_years() -> None:
    assert (JULY[0], JULY[-1], len(JULY)) == (date(2026, 7, 1), date(2026, 7, 31), 31)
    assert len(days_of_month(date(2028, 2, 3))) == 29
    assert shifted_month(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert shifted_month(date(2026, 1, 31), -1) == date(2025, 12, 1)


def test_a_stay_is_one_bar_over_its_nights_and_free_days_are_single_cells() -> None:
    stay = GridEntry("a", date(2026, 7, 10), date(2026, 7, 14), "reserved", "Réservé")
    segments = row_segments(JULY, [stay], frozenset())
    bars = [s for s in segments if s.entry is not None]
    assert [(b.first, b.length) for b in bars] == [(date(2026, 7, 10), 4)]
    assert sum(s.length for s in segments) == 31
    assert len(segments) == 31 - 4 + 1  # the departure day is free again


def test_a_stay_across_the_month_end_is_cut_and_says_it_goes_on() -> None:
    stay = GridEntry("a", date(2026, 6, 28), date(2026, 7, 3), "reserved", "Réservé")
    first = row_segments(JULY, [stay], frozenset())[0]
    assert (first.first, first.length, first.continues_before, first.continues_after) == (
        date(2026, 7, 1),
        2,
        True,
        False,
    )


def test_a_reservation_is_drawn_over_a_block_on_the_same_night_and_flagged_when_in_conflict() -> (
    None
):
    block = GridEntry("b", date(2026, 7, 5), date(2026, 7, 8), "unavailable", "travaux")
    stay = GridEntry("s", date(2026, 7, 6), date(2026, 7, 7), "reserved", "Réservé")
    conflicts = conflict_days_of([(date(2026, 7, 6), date(2026, 7, 7))])
    segments = row_segments(JULY, [block, stay], conflicts)
    drawn = {s.first: s for s in segments if s.entry is not None}
    assert drawn[date(2026, 7, 6)].entry == stay
    assert drawn[date(2026, 7, 6)].is_conflict
    assert not drawn[date(2026, 7, 5)].is_conflict


def test_what_we_send_never_counts_as_a_double_booking() -> None:
    sent = GridEntry("x", date(2026, 7, 6), date(2026, 7, 7), "reserved", "Airbnb", is_sent=True)
    segments = row_segments(JULY, [sent], conflict_days_of([(date(2026, 7, 6), date(2026, 7, 7))]))
    assert not any(s.is_conflict for s in segments)
