from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, timedelta

import hypothesis
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
)

from icalbridge.core.bookings import Booking, Kind
from icalbridge.core.feed import FeedEvent
from icalbridge.core.reconcile import HoldReason, Plan, plan_import
from icalbridge.core.spans import Nights

START = date(2026, 1, 1)
CHANNEL = "channel-1"
SUMMARIES = ("Reserved", "Airbnb (Not available)", "Réservée - Guest")


def apply_plan(stored: Sequence[Booking], plan: Plan, new_ids: Iterator[str]) -> list[Booking]:
    """Return the bookings a store holds once it applied ``plan`` (as the importer does)."""
    assert not plan.is_held
    result = {b.id: b for b in stored}
    for booking in plan.cancel:
        del result[booking.id]
    for change in plan.change:
        result[change.booking.id] = replace(
            change.booking,
            span=change.event.span,
            kind=change.event.kind,
            summary=change.event.summary,
            remote_uid=change.event.key,
            is_echo=change.is_echo,
            is_horizon=change.is_horizon,
            sequence=change.booking.sequence + 1,
        )
    for event in plan.add:
        new = Booking(
            id=next(new_ids),
            span=event.span,
            kind=event.kind,
            origin=CHANNEL,
            summary=event.summary,
            remote_uid=event.key,
        )
        result[new.id] = new
    return sorted(result.values(), key=lambda b: b.id)


def fresh_ids() -> Iterator[str]:
    return (f"b{n:05d}" for n in itertools.count())


nights_offsets = st.tuples(st.integers(-30, 90), st.integers(1, 14))
kinds = st.sampled_from(list(Kind))
summaries = st.sampled_from(SUMMARIES)


@st.composite
def feeds(draw: st.DrawFn) -> list[FeedEvent]:
    specs = draw(st.lists(st.tuples(nights_offsets, kinds, summaries), max_size=12))
    return [
        FeedEvent(
            uid=f"uid-{i}",
            span=Nights(START + timedelta(days=s), START + timedelta(days=s + n)),
            kind=kind,
            summary=summary,
        )
        for i, ((s, n), kind, summary) in enumerate(specs)
    ]


@given(feeds())
@settings(max_examples=60, deadline=None)
def test_second_import_of_the_same_feed_is_a_noop(feed: list[FeedEvent]) -> None:
    first = plan_import(feed, [], today=START)
    stored = apply_plan([], first, fresh_ids())

    again = plan_import(feed, stored, today=START)

    assert again.is_noop
    assert not again.is_held


@given(feeds(), feeds(), st.randoms(use_true_random=False))
@settings(max_examples=60, deadline=None)
def test_plan_does_not_depend_on_the_order_of_its_inputs(
    before: list[FeedEvent], after: list[FeedEvent], rnd: random.Random
) -> None:
    stored = apply_plan([], plan_import(before, [], today=START), fresh_ids())
    shuffled_feed, shuffled_stored = list(after), list(stored)
    rnd.shuffle(shuffled_feed)
    rnd.shuffle(shuffled_stored)

    assert plan_import(after, stored, today=START) == plan_import(
        shuffled_feed, shuffled_stored, today=START
    )


@given(feeds(), feeds())
@settings(max_examples=80, deadline=None)
def test_a_plan_is_held_exactly_when_it_would_free_too_many_future_nights(
    before: list[FeedEvent], after: list[FeedEvent]
) -> None:
    stored = apply_plan([], plan_import(before, [], today=START), fresh_ids())
    future = [b for b in stored if b.span.end > START]

    plan = plan_import(after, stored, today=START)

    if not after and future:
        assert plan.hold_reason == HoldReason.EMPTIED
    elif len(plan.cancel) >= 2 and 2 * len(plan.cancel) >= len(future):
        assert plan.hold_reason == HoldReason.MASS_REMOVAL
    else:
        assert not plan.is_held
    assert all(b.span.end > START for b in plan.cancel)
    assert all(b.span.end <= START for b in plan.kept_past)


class SuccessiveFeeds(RuleBasedStateMachine):
    """A platform's feed changes day after day; every fetch is imported and applied."""

    live = Bundle("live")

    def __init__(self) -> None:
        super().__init__()
        self.today = START
        self.feed: dict[str, FeedEvent] = {}
        self.stored: list[Booking] = []
        self.ids = fresh_ids()
        self.uids = itertools.count()

    def _nights(self, offset: tuple[int, int]) -> Nights:
        start = self.today + timedelta(days=offset[0])
        return Nights(start, start + timedelta(days=offset[1]))

    def _new_uid(self) -> str:
        return f"uid-{next(self.uids)}"

    @rule(
        target=live, offset=nights_offsets, kind=kinds, summary=summaries, synthetic=st.booleans()
    )
    def platform_adds_an_event(
        self, offset: tuple[int, int], kind: Kind, summary: str, synthetic: bool
    ) -> str:
        uid = self._new_uid()
        self.feed[uid] = FeedEvent(uid, self._nights(offset), kind, summary, None, synthetic)
        return uid

    @rule(uid=consumes(live))
    def platform_drops_an_event(self, uid: str) -> None:
        self.feed.pop(uid, None)

    @rule(uid=live, offset=nights_offsets)
    def platform_moves_an_event(self, uid: str, offset: tuple[int, int]) -> None:
        if uid in self.feed:
            self.feed[uid] = replace(self.feed[uid], span=self._nights(offset))

    @rule(uid=live, summary=summaries, kind=kinds)
    def platform_relabels_an_event(self, uid: str, summary: str, kind: Kind) -> None:
        if uid in self.feed:
            self.feed[uid] = replace(self.feed[uid], summary=summary, kind=kind)

    @rule()
    def platform_empties_its_calendar(self) -> None:
        self.feed.clear()

    @rule()
    def platform_reissues_its_synthetic_uids(self) -> None:
        for uid, event in list(self.feed.items()):
            if event.uid_is_synthetic:
                self.feed[uid] = replace(event, uid=self._new_uid())

    @rule(days=st.integers(1, 10), trims_past=st.booleans())
    def days_pass(self, days: int, trims_past: bool) -> None:
        self.today += timedelta(days=days)
        if trims_past:
            for uid, event in list(self.feed.items()):
                if event.span.end <= self.today:
                    del self.feed[uid]

    @rule()
    def import_the_feed(self) -> None:
        events = list(self.feed.values())
        plan = plan_import(events, self.stored, today=self.today)
        if plan.is_held:
            assert plan.hold_reason in (HoldReason.MASS_REMOVAL, HoldReason.EMPTIED)
            assert plan.cancel, "a plan freeing nothing has no reason to be held"
            hypothesis.event(f"held: {plan.hold_reason}")
            plan = plan_import(events, self.stored, today=self.today, confirmed=True)
        past_before = {b.id for b in self.stored if b.span.end <= self.today}
        assert all(b.id not in past_before for b in plan.cancel)
        feed_keys = {e.key for e in events}
        kept = {b.remote_uid for b in plan.kept_past}

        self.stored = apply_plan(self.stored, plan, self.ids)

        assert Counter(b.remote_uid for b in self.stored) == Counter(feed_keys | kept)
        assert kept.isdisjoint(feed_keys)
        by_key = {b.remote_uid: b for b in self.stored}
        for event in events:
            mirrored = by_key[event.key]
            assert (mirrored.span, mirrored.kind, mirrored.summary) == (
                event.span,
                event.kind,
                event.summary,
            )
        again = plan_import(events, self.stored, today=self.today)
        assert again.is_noop and not again.is_held

    @invariant()
    def stored_ids_are_unique(self) -> None:
        assert len({b.id for b in self.stored}) == len(self.stored)


TestSuccessiveFeeds = SuccessiveFeeds.TestCase
TestSuccessiveFeeds.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
