from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalbridge.core.bookings import Booking, Kind
from icalbridge.core.feed import FeedEvent
from icalbridge.core.horizons import find_horizon_keys
from icalbridge.core.reconcile import HoldReason, plan_import
from icalbridge.core.spans import Nights, StayTimes, Timed

TODAY = date(2026, 6, 1)
PARIS = ZoneInfo("Europe/Paris")
CHANNEL = "airbnb-1"


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def event(
    uid: str,
    start: int,
    end: int,
    *,
    kind: Kind = Kind.RESERVED,
    summary: str = "Reserved",
    synthetic: bool = False,
    block: bool = False,
) -> FeedEvent:
    return FeedEvent(
        uid=uid,
        span=Nights(day(start), day(end)),
        kind=kind,
        summary=summary,
        uid_is_synthetic=synthetic,
        is_block=block,
    )


def booking(
    id_: str,
    uid: str,
    start: int,
    end: int,
    *,
    kind: Kind = Kind.RESERVED,
    summary: str = "Reserved",
    is_echo: bool = False,
    is_horizon: bool = False,
) -> Booking:
    return Booking(
        id=id_,
        span=Nights(day(start), day(end)),
        kind=kind,
        origin=CHANNEL,
        summary=summary,
        remote_uid=uid,
        is_echo=is_echo,
        is_horizon=is_horizon,
    )


def test_first_import_adds_every_event_in_key_order() -> None:
    plan = plan_import([event("b", 5, 8), event("a", 1, 3)], [], today=TODAY)

    assert [e.uid for e in plan.add] == ["a", "b"]
    assert plan.change == plan.cancel == plan.kept_past == ()
    assert not plan.is_held


def test_second_import_of_the_same_feed_changes_nothing() -> None:
    stored = [booking("1", "a", 1, 3), booking("2", "b", 5, 8)]

    plan = plan_import([event("a", 1, 3), event("b", 5, 8)], stored, today=TODAY)

    assert plan.is_noop
    assert not plan.is_held


def test_new_event_is_added_beside_known_ones() -> None:
    stored = [booking("1", "a", 1, 3)]

    plan = plan_import([event("a", 1, 3), event("n", 10, 12)], stored, today=TODAY)

    assert [e.uid for e in plan.add] == ["n"]
    assert plan.change == plan.cancel == ()


def test_moved_stay_is_one_change_marked_moved_not_cancel_and_add() -> None:
    stored = [booking("1", "a", 1, 3), booking("2", "b", 20, 25)]

    plan = plan_import([event("a", 2, 6), event("b", 20, 25)], stored, today=TODAY)

    assert plan.add == plan.cancel == ()
    (change,) = plan.change
    assert change.booking.id == "1"
    assert change.moved
    assert change.event.span == Nights(day(2), day(6))


def test_changed_summary_or_kind_is_a_change_that_did_not_move() -> None:
    stored = [booking("1", "a", 1, 3), booking("2", "b", 5, 8)]
    events = [
        event("a", 1, 3, summary="Reserved - Guest"),
        event("b", 5, 8, kind=Kind.UNAVAILABLE, summary="Reserved"),
    ]

    plan = plan_import(events, stored, today=TODAY)

    assert [(c.booking.id, c.moved) for c in plan.change] == [("1", False), ("2", False)]


def test_missing_future_booking_is_cancelled() -> None:
    stored = [booking("1", "a", 1, 3), booking("2", "b", 5, 8), booking("3", "c", 9, 12)]

    plan = plan_import([event("a", 1, 3), event("b", 5, 8)], stored, today=TODAY)

    assert [b.id for b in plan.cancel] == ["3"]
    assert not plan.is_held


def test_past_booking_dropped_from_the_feed_is_kept_not_cancelled() -> None:
    stored = [booking("old", "p", -10, -3), booking("1", "a", 1, 3)]

    plan = plan_import([event("a", 1, 3)], stored, today=TODAY)

    assert [b.id for b in plan.kept_past] == ["old"]
    assert plan.cancel == ()
    assert plan.is_noop


def test_stay_checking_out_today_counts_as_past_when_it_drops_out() -> None:
    stored = [booking("leaving", "p", -4, 0), booking("1", "a", 1, 3)]

    plan = plan_import([event("a", 1, 3)], stored, today=TODAY)

    assert [b.id for b in plan.kept_past] == ["leaving"]
    assert plan.cancel == ()


def test_timed_booking_ends_in_the_unit_zone_when_judging_the_past() -> None:
    # 23:30 UTC on the eve of today is already today in Paris: not yet history there.
    late = datetime(2026, 5, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    timed = Booking(
        id="t",
        span=Timed(late - timedelta(hours=2), late),
        kind=Kind.RESERVED,
        origin=CHANNEL,
        remote_uid="t",
    )
    stored = [timed, booking("1", "a", 1, 3)]
    events = [event("a", 1, 3)]

    in_utc = plan_import(events, stored, today=date(2026, 5, 31))
    in_paris = plan_import(events, stored, today=date(2026, 5, 31), stay=StayTimes(PARIS))

    assert [b.id for b in in_utc.kept_past] == ["t"]
    assert [b.id for b in in_paris.cancel] == ["t"]


def test_removing_half_of_the_future_bookings_is_held_with_counts() -> None:
    stored = [booking(str(i), f"u{i}", 2 * i + 1, 2 * i + 2) for i in range(4)]
    events = [event("u0", 1, 2), event("u1", 3, 4)]

    plan = plan_import(events, stored, today=TODAY)

    assert plan.is_held
    assert plan.hold_reason == HoldReason.MASS_REMOVAL == "mass_removal"
    assert dict(plan.hold_params) == {"count": "2", "future": "4"}
    assert [b.id for b in plan.cancel] == ["2", "3"]


def test_removing_less_than_half_applies() -> None:
    stored = [booking(str(i), f"u{i}", 2 * i + 1, 2 * i + 2) for i in range(5)]
    events = [event(f"u{i}", 2 * i + 1, 2 * i + 2) for i in range(3)]

    plan = plan_import(events, stored, today=TODAY)

    assert not plan.is_held
    assert len(plan.cancel) == 2


def test_removing_the_only_future_booking_of_a_live_feed_applies() -> None:
    stored = [booking("1", "a", 1, 3)]

    plan = plan_import([event("n", 10, 12)], stored, today=TODAY)

    assert not plan.is_held
    assert [b.id for b in plan.cancel] == ["1"]


def test_removing_one_of_two_future_bookings_applies() -> None:
    stored = [booking("1", "a", 1, 3), booking("2", "b", 5, 6)]

    plan = plan_import([event("a", 1, 3)], stored, today=TODAY)

    assert not plan.is_held


def test_confirmed_mass_removal_applies() -> None:
    stored = [booking(str(i), f"u{i}", 2 * i + 1, 2 * i + 2) for i in range(4)]

    plan = plan_import([event("u0", 1, 2)], stored, today=TODAY, confirmed=True)

    assert not plan.is_held
    assert [b.id for b in plan.cancel] == ["1", "2", "3"]


def test_feed_emptied_while_future_bookings_exist_is_held() -> None:
    stored = [booking("1", "a", 1, 3), booking("old", "p", -9, -5)]

    plan = plan_import([], stored, today=TODAY)

    assert plan.hold_reason == HoldReason.EMPTIED
    assert dict(plan.hold_params) == {"count": "1", "future": "1"}
    assert [b.id for b in plan.cancel] == ["1"]


def test_confirmed_empty_feed_cancels_the_future_and_keeps_the_past() -> None:
    stored = [booking("1", "a", 1, 3), booking("old", "p", -9, -5)]

    plan = plan_import([], stored, today=TODAY, confirmed=True)

    assert not plan.is_held
    assert [b.id for b in plan.cancel] == ["1"]
    assert [b.id for b in plan.kept_past] == ["old"]


def test_empty_feed_with_only_past_bookings_stored_is_not_held() -> None:
    plan = plan_import([], [booking("old", "p", -9, -5)], today=TODAY)

    assert not plan.is_held
    assert plan.is_noop


def test_echoes_vanishing_after_a_cancellation_here_are_not_a_mass_removal() -> None:
    stored = [
        booking("1", "a", 1, 3),
        booking("e1", "x1", 5, 7, kind=Kind.UNAVAILABLE, is_echo=True),
        booking("e2", "x2", 9, 11, kind=Kind.UNAVAILABLE, is_echo=True),
    ]

    plan = plan_import([event("a", 1, 3)], stored, today=TODAY)

    assert not plan.is_held
    assert [b.id for b in plan.cancel] == ["e1", "e2"]


def test_feed_that_is_not_a_calendar_is_held_and_touches_nothing() -> None:
    stored = [booking("1", "a", 1, 3)]

    plan = plan_import([], stored, today=TODAY, feed_is_calendar=False, confirmed=True)

    assert plan.hold_reason == HoldReason.NOT_CALENDAR
    assert plan.add == plan.change == plan.cancel == plan.kept_past == ()


def test_truncated_feed_is_held_and_touches_nothing() -> None:
    stored = [booking("1", "a", 1, 3), booking("2", "b", 5, 8)]

    plan = plan_import([event("a", 1, 4)], stored, today=TODAY, feed_is_truncated=True)

    assert plan.hold_reason == HoldReason.TRUNCATED
    assert plan.add == plan.change == plan.cancel == ()


def test_synthetic_uid_that_changed_matches_the_same_stay_and_summary() -> None:
    stored = [booking("1", "gen-1", 1, 3), booking("2", "gen-2", 5, 8)]
    events = [event("gen-9", 1, 3, synthetic=True), event("gen-8", 5, 8, synthetic=True)]

    plan = plan_import(events, stored, today=TODAY)

    assert plan.add == plan.cancel == ()
    assert [(c.booking.id, c.event.key, c.moved) for c in plan.change] == [
        ("1", "gen-9", False),
        ("2", "gen-8", False),
    ]


def test_synthetic_uid_with_other_summary_is_a_new_booking() -> None:
    stored = [booking("1", "gen-1", 1, 3), booking("2", "b", 5, 8)]
    events = [event("gen-9", 1, 3, summary="Blocked", synthetic=True), event("b", 5, 8)]

    plan = plan_import(events, stored, today=TODAY)

    assert [e.key for e in plan.add] == ["gen-9"]
    assert [b.id for b in plan.cancel] == ["1"]


def test_stable_uid_never_falls_back_to_span_matching() -> None:
    stored = [booking("1", "a", 1, 3), booking("2", "b", 5, 8)]
    events = [event("z", 1, 3), event("b", 5, 8)]

    plan = plan_import(events, stored, today=TODAY)

    assert [e.key for e in plan.add] == ["z"]
    assert [b.id for b in plan.cancel] == ["1"]


def test_repeated_uid_in_a_feed_does_not_add_a_copy_on_every_import() -> None:
    stored = [booking("1", "dup", 1, 3), booking("2", "dup", 5, 8)]
    events = [event("dup", 5, 8), event("dup", 1, 3)]

    plan = plan_import(events, stored, today=TODAY)

    assert plan.is_noop


def test_recurring_instances_match_by_their_occurrence_key() -> None:
    first = FeedEvent("r", Nights(day(1), day(2)), Kind.RESERVED, "Cours", "20260602")
    second = FeedEvent("r", Nights(day(8), day(9)), Kind.RESERVED, "Cours", "20260609")
    stored = [
        Booking("1", first.span, Kind.RESERVED, CHANNEL, summary="Cours", remote_uid=first.key),
        Booking("2", second.span, Kind.RESERVED, CHANNEL, summary="Cours", remote_uid=second.key),
    ]

    plan = plan_import([second, first], stored, today=TODAY)

    assert plan.is_noop


def test_horizon_block_growing_daily_is_one_change_in_place() -> None:
    horizon_day_one = event("h", 150, 365, kind=Kind.UNAVAILABLE, summary="N/A", block=True)
    stored = [
        booking("1", "a", 1, 3),
        booking("h1", "h", 150, 365, kind=Kind.UNAVAILABLE, summary="N/A", is_horizon=True),
    ]
    tomorrow = TODAY + timedelta(days=1)
    grown = event("h", 150, 366, kind=Kind.UNAVAILABLE, summary="N/A", block=True)
    feed = [event("a", 1, 3), grown]
    horizons = find_horizon_keys(feed, today=tomorrow, platform_id="airbnb")

    plan = plan_import(feed, stored, today=tomorrow, horizon_keys=horizons)

    assert horizons == {"h"}
    assert horizon_day_one.key == grown.key
    assert plan.add == plan.cancel == ()
    (change,) = plan.change
    assert (change.booking.id, change.moved, change.is_horizon) == ("h1", True, True)


def test_event_becoming_an_echo_updates_the_flag() -> None:
    stored = [booking("1", "a", 1, 3, kind=Kind.UNAVAILABLE, summary="N/A")]
    events = [event("a", 1, 3, kind=Kind.UNAVAILABLE, summary="N/A", block=True)]

    plan = plan_import(events, stored, today=TODAY, echo_keys=frozenset({"a"}))

    (change,) = plan.change
    assert change.is_echo and not change.moved


def test_every_tuple_is_ordered_whatever_the_input_order() -> None:
    stored = [booking(str(i), f"u{i}", i, i + 1) for i in range(6)]
    events = [event(f"n{i}", 30 + i, 31 + i) for i in range(4)] + [
        event(f"u{i}", i + 1, i + 2) for i in range(2)
    ]

    forward = plan_import(events, stored, today=TODAY, confirmed=True)
    backward = plan_import(events[::-1], stored[::-1], today=TODAY, confirmed=True)

    assert forward == backward
    assert [e.key for e in forward.add] == ["n0", "n1", "n2", "n3"]
