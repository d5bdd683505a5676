"""Deliveries over many versions, fetches and views: judged as the plain reading of the rule.

``core.deliveries`` indexes the loop's facts so that a unit's export side is derived in a
few milliseconds; the reading below scans every version and every fetch for each run, as
the rule is written in its docstring, and both must always agree.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from icalbridge.core import deliveries as rule
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
from tests.core.test_deliveries import GRACE, T0, TODAY, H

# A plain reading of the rule ------------------------------------------------------------


def _covers(run: Nights, nights: Nights) -> bool:
    return run.start <= nights.start and nights.end <= run.end


def _in_order(versions: list[ServedVersion]) -> list[ServedVersion]:
    return sorted(versions, key=lambda v: v.entered_at)


def plain_delivery(nights: Nights, facts: LoopFacts, now: datetime, today: date) -> Delivery:
    streak: list[ServedVersion] = []
    for version in reversed(_in_order(list(facts.versions))):
        if not any(_covers(run, nights) for run in version.runs):
            break
        streak.insert(0, version)
    entered_at = streak[0].entered_at if streak else None
    etags = {v.etag for v in streak}
    holding = [f.at for f in facts.fetches if f.etag in etags and entered_at and f.at >= entered_at]
    if not holding:
        return Delivery(nights, DeliveryState.WAITING, entered_at, None, None, 0)
    fetched_at = min(holding)
    if not facts.shows_imports_as_blocks or nights.end <= today:
        return Delivery(nights, DeliveryState.FETCHED, entered_at, fetched_at, None, len(holding))
    judged = Nights(max(nights.start, today), nights.end)
    confirmed_at = rule._first_blocked_since(judged, facts.views, fetched_at)
    if confirmed_at is not None:
        state = DeliveryState.CONFIRMED
    elif rule._is_overdue(len(holding), fetched_at, facts.observed_until, now, GRACE):
        state = DeliveryState.NOT_APPLIED
    else:
        state = DeliveryState.FETCHED
    return Delivery(nights, state, entered_at, fetched_at, confirmed_at, len(holding))


def plain_deliveries_since(
    facts: LoopFacts, since: datetime, now: datetime, today: date
) -> list[Delivery]:
    ordered = _in_order(list(facts.versions))
    result = []
    for index, version in enumerate(ordered):
        if version.entered_at < since:
            continue
        previous = ordered[index - 1].runs if index else ()
        for run in version.runs:
            if any(_covers(old, run) for old in previous):
                continue
            end = index
            while end + 1 < len(ordered) and any(_covers(r, run) for r in ordered[end + 1].runs):
                end += 1
            upto = LoopFacts(
                ordered[: end + 1],
                facts.fetches,
                facts.views,
                facts.shows_imports_as_blocks,
                facts.observed_until,
            )
            then = min(today, version.entered_at.date())
            result.append(plain_delivery(run, upto, now, then))
    return result


# Loops of many versions ------------------------------------------------------------------

hours = st.integers(min_value=-48, max_value=48)
runs = st.builds(
    lambda a, n: Nights(TODAY + timedelta(days=a), TODAY + timedelta(days=a + n)),
    st.integers(min_value=-5, max_value=20),
    st.integers(min_value=1, max_value=8),
)
etags = st.sampled_from(["v0", "v1", "v2", "v3"])


@st.composite
def many_versions(draw: st.DrawFn) -> tuple[LoopFacts, datetime]:
    versions = [
        # Runs overlapping or out of order, an ETag served again, two versions in one hour.
        ServedVersion(draw(etags), T0 + draw(hours) * H, tuple(draw(st.lists(runs, max_size=5))))
        for _ in range(draw(st.integers(min_value=0, max_value=7)))
    ]
    fetches = [Fetch(T0 + h * H, draw(etags)) for h in draw(st.lists(hours, max_size=12))]
    views = [
        PlatformView(T0 + h * H, tuple(draw(st.lists(runs, max_size=4))))
        for h in sorted(set(draw(st.lists(hours, max_size=5))))
    ]
    observed = draw(st.none() | hours.map(lambda h: T0 + h * H))
    loop = LoopFacts(versions, fetches, views, draw(st.booleans()), observed)
    return loop, T0 + draw(hours) * H


@settings(max_examples=400)
@given(many_versions(), hours, st.lists(runs, max_size=3))
def test_property_every_run_is_judged_as_the_plain_reading_of_the_rule_judges_it(
    case: tuple[LoopFacts, datetime], since_h: int, asked: list[Nights]
) -> None:
    loop, now = case
    since = T0 + since_h * H

    assert deliveries_since(loop, since, now=now, today=TODAY, grace=GRACE) == (
        plain_deliveries_since(loop, since, now, TODAY)
    )
    current = _in_order(list(loop.versions))[-1].runs if loop.versions else ()
    assert deliveries_of_current_feed(loop, now=now, today=TODAY, grace=GRACE) == [
        plain_delivery(run, loop, now, TODAY) for run in current if run.end > TODAY
    ]
    for nights in [*asked, *(run for v in loop.versions for run in v.runs)]:
        assert delivery_of(nights, loop, now=now, today=TODAY, grace=GRACE) == (
            plain_delivery(nights, loop, now, TODAY)
        )
