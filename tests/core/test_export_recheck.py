"""When the worker must look at a channel's export side again (core.export_status).

Between two facts only time moves the verdict, at instants ``next_export_change`` names:
looked at then, and when a fact arrives, every change is seen without re-deriving every
channel every few minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from icalbridge.core.deliveries import (
    Delivery,
    DeliveryState,
    LoopFacts,
    deliveries_of_current_feed,
)
from icalbridge.core.export_status import (
    ExportVerdict,
    export_verdict,
    next_export_change,
    silence_allowed,
)
from tests.core.test_deliveries import GRACE, STAY, T0, loops

H = timedelta(hours=1)
WINDOW = timedelta(hours=6)
RECHECK = timedelta(minutes=10)
US = timedelta(microseconds=1)
NEXT_DAY = datetime.combine(T0.date() + timedelta(days=1), time(), UTC)


def next_change(**overrides: object) -> datetime:
    args: dict[str, object] = {
        "now": T0,
        "created_at": T0 - H,
        "last_fetch_at": None,
        "usual_interval_s": 3 * 3600,
        "first_fetch_window": WINDOW,
        "deliveries": (),
        "judges_application": True,
        "observed_until": None,
        "grace": GRACE,
        "next_day": NEXT_DAY,
        "awaiting_recheck": RECHECK,
    }
    return next_export_change(**(args | overrides))  # type: ignore[arg-type]


def fetched(at: datetime, count: int) -> Delivery:
    return Delivery(STAY, DeliveryState.FETCHED, at - H, at, None, count)


def test_a_link_never_read_is_looked_at_again_when_its_first_fetch_window_closes() -> None:
    assert next_change() == T0 - H + WINDOW + US


def test_a_read_link_is_looked_at_again_when_its_silence_would_become_a_warning_then_an_error() -> (
    None
):
    allowed = silence_allowed(3 * 3600)  # 24 h: a day at least
    assert next_change(last_fetch_at=T0, next_day=T0 + 10 * allowed) == T0 + allowed + US
    later = T0 + allowed + US
    assert (
        next_change(now=later, last_fetch_at=T0, next_day=T0 + 10 * allowed)
        == T0 + 3 * allowed + US
    )


def test_nights_read_are_looked_at_again_when_their_grace_period_ends() -> None:
    assert next_change(last_fetch_at=T0, deliveries=[fetched(T0 - H, 1)]) == T0 - H + GRACE


def test_a_platform_that_cannot_show_our_dates_back_has_no_grace_period_to_wait_for() -> None:
    deliveries = [fetched(T0 - H, 1)]
    assert next_change(last_fetch_at=T0, deliveries=deliveries, judges_application=False) == (
        NEXT_DAY
    )


def test_a_grace_period_over_while_the_platforms_feed_was_not_read_since_is_looked_at_soon() -> (
    None
):
    read_twice = [fetched(T0 - 8 * H, 2)]
    assert next_change(last_fetch_at=T0, deliveries=read_twice) == T0 + RECHECK
    # Read once only: the second fetch is a fact, and makes the channel due by itself.
    assert next_change(last_fetch_at=T0, deliveries=[fetched(T0 - 8 * H, 1)]) == NEXT_DAY
    # Read after the deadline: judged now, nothing left to wait for.
    seen = T0 - H
    assert next_change(last_fetch_at=T0, deliveries=read_twice, observed_until=seen) == NEXT_DAY


def test_with_nothing_pending_the_next_look_is_the_next_day() -> None:
    assert next_change(last_fetch_at=T0, deliveries=[]) == NEXT_DAY


def before(loop: LoopFacts, now: datetime) -> LoopFacts:
    """The facts as known at ``now``: what came later has not happened yet."""
    observed = loop.observed_until if loop.observed_until and loop.observed_until <= now else None
    return LoopFacts(
        loop.versions,
        [f for f in loop.fetches if f.at <= now],
        [v for v in loop.views if v.seen_at <= now],
        loop.shows_imports_as_blocks,
        observed,
    )


def judged(loop: LoopFacts, now: datetime, usual_s: int) -> tuple[ExportVerdict, datetime]:
    today = now.astimezone(UTC).date()
    deliveries = deliveries_of_current_feed(loop, now=now, today=today, grace=GRACE)
    last = max((f.at for f in loop.fetches), default=None)
    common: dict[str, object] = {
        "created_at": T0 - H,
        "now": now,
        "last_fetch_at": last,
        "usual_interval_s": usual_s,
        "first_fetch_window": WINDOW,
        "deliveries": deliveries,
    }
    verdict = export_verdict(problem=None, **common)  # type: ignore[arg-type]
    recheck = next_export_change(
        judges_application=loop.shows_imports_as_blocks,
        observed_until=loop.observed_until,
        grace=GRACE,
        next_day=datetime.combine(today + timedelta(days=1), time(), UTC),
        awaiting_recheck=RECHECK,
        **common,  # type: ignore[arg-type]
    )
    return verdict, recheck


@given(
    loops(),
    st.sampled_from([3600, 3 * 3600, 12 * 3600, 2 * 86400]),
    st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_property_with_no_new_fact_the_verdict_holds_until_the_next_look(
    case: tuple[LoopFacts, datetime], usual_s: int, share: float
) -> None:
    loop, now = case
    known = before(loop, now)
    verdict, recheck = judged(known, now, usual_s)
    assert recheck > now
    between = min(now + (recheck - now) * share, recheck - US)
    later, _ = judged(known, between, usual_s)
    assert (later.state, later.reason, later.not_applied) == (
        verdict.state,
        verdict.reason,
        verdict.not_applied,
    )
