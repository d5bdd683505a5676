"""Did the platform read the nights we sent, and block them? (core.deliveries)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from icalbridge.core.deliveries import (
    Delivery,
    DeliveryState,
    Fetch,
    LoopFacts,
    PlatformView,
    ServedVersion,
    deliveries_of_current_feed,
    deliveries_since,
    delivery_of,
)
from icalbridge.core.spans import Nights

T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
TODAY = date(2026, 7, 1)
GRACE = timedelta(hours=6)
STAY = Nights(date(2026, 7, 10), date(2026, 7, 14))
H = timedelta(hours=1)


def facts(
    fetches: list[Fetch],
    views: list[PlatformView] = (),  # type: ignore[assignment]
    *,
    shows: bool = True,
    observed_until: datetime | None = None,
    versions: list[ServedVersion] | None = None,
) -> LoopFacts:
    return LoopFacts(
        versions if versions is not None else [ServedVersion("v1", T0, (STAY,))],
        fetches,
        list(views),
        shows,
        observed_until,
    )


def state_at(loop: LoopFacts, now: datetime, nights: Nights = STAY) -> Delivery:
    return delivery_of(nights, loop, now=now, today=TODAY, grace=GRACE)


def test_nights_not_fetched_since_they_entered_the_feed_are_waiting() -> None:
    old_fetch = Fetch(T0 - H, "v0")
    delivery = state_at(facts([old_fetch]), T0 + 5 * H)
    assert delivery.state is DeliveryState.WAITING
    assert delivery.entered_at == T0 and delivery.fetched_at is None


def test_a_fetch_of_a_version_holding_the_nights_makes_them_fetched() -> None:
    delivery = state_at(facts([Fetch(T0 + 2 * H, "v1")]), T0 + 3 * H)
    assert delivery.state is DeliveryState.FETCHED
    assert delivery.fetched_at == T0 + 2 * H


def test_the_platforms_feed_showing_the_nights_blocked_confirms_them() -> None:
    views = [
        PlatformView(T0 - 10 * H, ()),
        PlatformView(T0 + 4 * H, (Nights(date(2026, 7, 9), date(2026, 7, 15)),)),
    ]
    delivery = state_at(facts([Fetch(T0 + 2 * H, "v1")], views), T0 + 5 * H)
    assert delivery.state is DeliveryState.CONFIRMED
    assert delivery.confirmed_at == T0 + 4 * H


def test_back_to_back_blocks_together_confirm_the_nights() -> None:
    halves = (
        Nights(date(2026, 7, 10), date(2026, 7, 12)),
        Nights(date(2026, 7, 12), date(2026, 7, 14)),
    )
    delivery = state_at(
        facts([Fetch(T0 + H, "v1")], [PlatformView(T0 + 2 * H, halves)]), T0 + 3 * H
    )
    assert delivery.state is DeliveryState.CONFIRMED


def test_a_block_on_part_of_the_nights_does_not_confirm_them() -> None:
    part = (Nights(date(2026, 7, 10), date(2026, 7, 12)),)
    loop = facts(
        [Fetch(T0 + H, "v1"), Fetch(T0 + 4 * H, "v1")],
        [PlatformView(T0 + 2 * H, part)],
        observed_until=T0 + 8 * H,
    )
    assert state_at(loop, T0 + 8 * H).state is DeliveryState.NOT_APPLIED


def test_not_applied_needs_two_fetches_and_the_grace_period_and_a_read_after_it() -> None:
    fetches = [Fetch(T0 + H, "v1"), Fetch(T0 + 3 * H, "v1")]
    empty = [PlatformView(T0, ())]
    # Within the grace period: still only fetched.
    assert (
        state_at(facts(fetches, empty, observed_until=T0 + 6 * H), T0 + 6 * H).state
        is DeliveryState.FETCHED
    )
    # Grace over, but the platform's feed was not read since: we cannot tell.
    assert (
        state_at(facts(fetches, empty, observed_until=T0 + 5 * H), T0 + 9 * H).state
        is DeliveryState.FETCHED
    )
    # Grace over, feed read after it, still not blocked: not applied.
    assert (
        state_at(facts(fetches, empty, observed_until=T0 + 8 * H), T0 + 9 * H).state
        is DeliveryState.NOT_APPLIED
    )
    # One fetch only, however long ago: not yet.
    assert (
        state_at(facts(fetches[:1], empty, observed_until=T0 + 20 * H), T0 + 20 * H).state
        is DeliveryState.FETCHED
    )


def test_a_platform_applying_late_is_confirmed_once_its_feed_shows_the_block() -> None:
    fetches = [Fetch(T0 + H, "v1"), Fetch(T0 + 3 * H, "v1")]
    views = [PlatformView(T0, ()), PlatformView(T0 + 9 * H, (STAY,))]
    delivery = state_at(facts(fetches, views, observed_until=T0 + 10 * H), T0 + 10 * H)
    assert delivery.state is DeliveryState.CONFIRMED
    assert delivery.confirmed_at == T0 + 9 * H


def test_platforms_that_cannot_show_our_dates_back_stay_at_fetched() -> None:
    loop = facts(
        [Fetch(T0 + H, "v1"), Fetch(T0 + 3 * H, "v1")],
        [PlatformView(T0, ())],
        shows=False,
        observed_until=T0 + 30 * H,
    )
    assert state_at(loop, T0 + 30 * H).state is DeliveryState.FETCHED


def test_nights_already_past_are_not_judged() -> None:
    past = Nights(date(2026, 6, 20), date(2026, 6, 25))
    versions = [ServedVersion("v1", T0, (past,))]
    loop = facts(
        [Fetch(T0 + H, "v1"), Fetch(T0 + 3 * H, "v1")],
        [PlatformView(T0, ())],
        observed_until=T0 + 30 * H,
        versions=versions,
    )
    assert state_at(loop, T0 + 30 * H, past).state is DeliveryState.FETCHED


def test_a_fetch_of_an_older_version_without_the_nights_does_not_count() -> None:
    versions = [ServedVersion("v0", T0 - 5 * H, ()), ServedVersion("v1", T0, (STAY,))]
    loop = facts([Fetch(T0 - 2 * H, "v0"), Fetch(T0 + H, "v0")], versions=versions)
    # A fetch after the change can still return the old bytes (a cache on the way): not ours.
    assert state_at(loop, T0 + 2 * H).state is DeliveryState.WAITING


def test_nights_that_left_and_came_back_count_from_their_return() -> None:
    versions = [
        ServedVersion("v1", T0, (STAY,)),
        ServedVersion("v2", T0 + 2 * H, ()),
        ServedVersion("v3", T0 + 4 * H, (STAY,)),
    ]
    loop = facts([Fetch(T0 + H, "v1"), Fetch(T0 + 3 * H, "v2")], versions=versions)
    delivery = state_at(loop, T0 + 5 * H)
    assert delivery.state is DeliveryState.WAITING
    assert delivery.entered_at == T0 + 4 * H


def test_the_current_feed_is_judged_run_by_run() -> None:
    other = Nights(date(2026, 8, 1), date(2026, 8, 3))
    versions = [ServedVersion("v1", T0, (STAY, other))]
    loop = facts(
        [Fetch(T0 + H, "v1"), Fetch(T0 + 2 * H, "v1")],
        [PlatformView(T0 + 2 * H, (STAY,))],
        versions=versions,
        observed_until=T0 + 8 * H,
    )
    states = {
        d.nights: d.state
        for d in deliveries_of_current_feed(loop, now=T0 + 8 * H, today=TODAY, grace=GRACE)
    }
    assert states == {STAY: DeliveryState.CONFIRMED, other: DeliveryState.NOT_APPLIED}


def test_runs_that_entered_in_the_period_are_measured_even_after_they_left() -> None:
    versions = [ServedVersion("v1", T0, (STAY,)), ServedVersion("v2", T0 + 5 * H, ())]
    loop = facts(
        [Fetch(T0 + H, "v1"), Fetch(T0 + 6 * H, "v2")],
        [PlatformView(T0 + 2 * H, (STAY,))],
        versions=versions,
    )
    measured = deliveries_since(loop, T0 - H, now=T0 + 7 * H, today=TODAY, grace=GRACE)
    assert [(d.nights, d.fetched_at, d.confirmed_at) for d in measured] == [
        (STAY, T0 + H, T0 + 2 * H)
    ]


# Property tests: the decision never claims more than the facts show.

days = st.integers(min_value=0, max_value=40)
hours = st.integers(min_value=0, max_value=200)


@st.composite
def loops(draw: st.DrawFn) -> tuple[LoopFacts, datetime]:
    start = draw(days)
    length = draw(st.integers(min_value=1, max_value=10))
    nights = Nights(TODAY + timedelta(days=start), TODAY + timedelta(days=start + length))
    versions = [ServedVersion("v1", T0, (nights,))]
    fetches = [
        Fetch(T0 + h * H, draw(st.sampled_from(["v0", "v1"])))
        for h in sorted(draw(st.lists(hours, max_size=6)))
    ]
    view_runs = st.lists(
        st.builds(
            lambda a, n: Nights(TODAY + timedelta(days=a), TODAY + timedelta(days=a + n)),
            days,
            st.integers(min_value=1, max_value=15),
        ),
        max_size=3,
    )
    views = [
        PlatformView(T0 + h * H, tuple(draw(view_runs)))
        for h in sorted(set(draw(st.lists(hours, max_size=4))))
    ]
    observed = draw(st.none() | hours.map(lambda h: T0 + h * H))
    now = T0 + draw(hours) * H
    return LoopFacts(versions, fetches, views, draw(st.booleans()), observed), now


@given(loops())
def test_property_nothing_is_read_without_a_fetch_of_a_version_holding_it(
    case: tuple[LoopFacts, datetime],
) -> None:
    loop, now = case
    run = loop.versions[0].runs[0]
    delivery = delivery_of(run, loop, now=now, today=TODAY, grace=GRACE)
    if not any(f.etag == "v1" for f in loop.fetches):
        assert delivery.state is DeliveryState.WAITING
    else:
        assert delivery.state is not DeliveryState.WAITING
        assert delivery.fetched_at == min(f.at for f in loop.fetches if f.etag == "v1")


@given(loops())
def test_property_not_applied_only_when_every_look_after_the_grace_showed_no_block(
    case: tuple[LoopFacts, datetime],
) -> None:
    loop, now = case
    run = loop.versions[0].runs[0]
    delivery = delivery_of(run, loop, now=now, today=TODAY, grace=GRACE)
    if delivery.state is DeliveryState.NOT_APPLIED:
        assert loop.shows_imports_as_blocks
        assert delivery.fetch_count >= 2 and delivery.fetched_at is not None
        assert (
            loop.observed_until is not None and loop.observed_until >= delivery.fetched_at + GRACE
        )
        assert now >= delivery.fetched_at + GRACE
        current = [v for v in loop.views if v.seen_at <= loop.observed_until]
        if current:
            latest = max(current, key=lambda v: v.seen_at)
            assert not all(
                any(r.start <= n < r.end for r in latest.blocked) for n in run.each_night()
            )
    if delivery.state is DeliveryState.CONFIRMED:
        assert loop.shows_imports_as_blocks and delivery.confirmed_at is not None
        assert delivery.fetched_at is not None and delivery.confirmed_at >= delivery.fetched_at


@given(loops())
def test_property_a_platform_that_cannot_show_blocks_is_never_judged(
    case: tuple[LoopFacts, datetime],
) -> None:
    loop, now = case
    blind = LoopFacts(loop.versions, loop.fetches, loop.views, False, loop.observed_until)
    state = delivery_of(blind.versions[0].runs[0], blind, now=now, today=TODAY, grace=GRACE).state
    assert state in (DeliveryState.WAITING, DeliveryState.FETCHED)
