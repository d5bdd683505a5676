"""The echo rule (DOMAIN rule 8) driven against a platform that re-exports what we serve it.

A platform P imports the hub's export feed at each of its fetches, and shows what it
imported as blocks in its own feed, beside its own closures. The hub books stays on free
nights and cancels them, P fetches, closes and reopens its own nights, and the hub imports P's feed
through ``core.echoes.judge_echoes`` and ``core.reconcile.plan_import``, as the importer
does. The world has no double booking (rule 9 has tests of its own): each side closes
only nights free on the other. After every step:

- no echo is stored as a real booking: every night a real (non-echo) booking of P holds
  is a night P closed on its own;
- P's own nights, once stored as real, are never freed as echoes while P still shows them;
- a cancellation frees P's channel within its fetch window: once P has fetched twice
  since a stay was cancelled and its feed was imported, no booking of P holds the stay's
  nights unless P closed them on its own or the hub booked them again.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from icalbridge.core.bookings import Booking, Kind
from icalbridge.core.echoes import SNAPSHOTS_CONSIDERED, judge_echoes
from icalbridge.core.feed import FeedEvent
from icalbridge.core.reconcile import plan_import
from icalbridge.core.spans import Nights, StayTimes

D0 = date(2026, 7, 1)
TODAY = D0 - timedelta(days=1)
STAY = StayTimes(ZoneInfo("Europe/Paris"))
CHANNEL = "P"
ECHO_SUMMARY = "Airbnb (Not available)"


def span(start: int, length: int) -> Nights:
    return Nights(D0 + timedelta(days=start), D0 + timedelta(days=start + length))


def days_of(spans: Iterable[Nights]) -> set[date]:
    return {s.start + timedelta(days=d) for s in spans for d in range((s.end - s.start).days)}


def runs_of(days: set[date]) -> list[Nights]:
    """Return the days as sorted runs of consecutive nights, as a platform shows them."""
    runs: list[Nights] = []
    for day in sorted(days):
        if runs and runs[-1].end == day:
            runs[-1] = Nights(runs[-1].start, day + timedelta(days=1))
        else:
            runs.append(Nights(day, day + timedelta(days=1)))
    return runs


class EchoesAgainstServedHistory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.echo_detection = True
        self.local: dict[int, Nights] = {}  # the hub's own stays, served to P
        self.own: dict[int, Nights] = {}  # P's own closures
        self.imported: list[Nights] = []  # what P took from its last fetch of our feed
        self.served: list[list[Nights]] = []  # what we served at each P fetch, newest first
        self.stored: list[Booking] = []  # the hub's bookings imported from P
        self.ids = (f"b{n:05d}" for n in itertools.count())
        self.numbers = itertools.count()
        self.real_own_days: set[date] = set()  # P's own nights the hub stored as real
        # Nights of cancelled stays, with how many P fetches happened since.
        self.cancelled: dict[date, int] = {}
        self.imported_since_fetch = True
        self.own_days_imported: set[date] = set()  # P's own nights as of the last import

    # The hub ------------------------------------------------------------------------

    @rule(start=st.integers(0, 40), length=st.integers(1, 7))
    def hub_books_a_stay(self, start: int, length: int) -> None:
        stay = span(start, length)
        # The hub sells only nights free everywhere and shown free here: a stay over P's
        # own closure, or over a block of P's not yet seen reopened, would be a double
        # booking, which rule 9 surfaces (and rule 8 rightly keeps the block as P's).
        taken = days_of([*self.local.values(), *self.own.values()]) | self.real_days()
        if days_of([stay]) & taken:
            return
        self.local[next(self.numbers)] = stay
        for day in days_of([stay]):
            self.cancelled.pop(day, None)

    @precondition(lambda self: bool(self.local))
    @rule(data=st.data())
    def hub_cancels_a_stay(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(sorted(self.local)))
        self.cancelled.update(dict.fromkeys(days_of([self.local.pop(number)]), 0))

    @rule()
    def hub_imports_the_platforms_feed(self) -> None:
        events = self.platform_feed()
        judged = judge_echoes(
            events, self.served, self.stored, STAY, echo_detection=self.echo_detection
        )
        plan = plan_import(
            judged.events,
            self.stored,
            today=TODAY,
            confirmed=True,
            stay=STAY,
            echo_keys=judged.echo_keys,
        )
        self.stored = self.applied(plan.add, plan.change, plan.cancel, judged.echo_keys)
        self.imported_since_fetch = True
        self.own_days_imported = days_of(self.own.values())
        self.check_after_import()

    # The platform -------------------------------------------------------------------

    @rule()
    def platform_fetches_our_feed(self) -> None:
        # Rule 2: P is served the hub's own stays (never its own bookings, never echoes).
        snapshot = runs_of(days_of(self.local.values()))
        self.served = [snapshot, *self.served][: SNAPSHOTS_CONSIDERED + 1]
        self.imported = snapshot
        if self.imported_since_fetch:
            self.cancelled = {day: fetches + 1 for day, fetches in self.cancelled.items()}
        self.imported_since_fetch = False

    @rule(start=st.integers(0, 40), length=st.integers(1, 7))
    def platform_closes_nights_of_its_own(self, start: int, length: int) -> None:
        closure = span(start, length)
        # Not over nights it shows closed, nor over a stay of the hub's it has not fetched
        # yet: that would be a double booking (rule 9), not an echo.
        if days_of([closure]) & days_of([*self.imported, *self.local.values()]):
            return
        self.own[next(self.numbers)] = closure

    @precondition(lambda self: bool(self.own))
    @rule(data=st.data())
    def platform_reopens_its_nights(self, data: st.DataObject) -> None:
        del self.own[data.draw(st.sampled_from(sorted(self.own)))]

    def platform_feed(self) -> list[FeedEvent]:
        """Return P's feed: its own closures, and each run it imported from us, as blocks."""
        events = [
            FeedEvent(f"own-{n}", nights, Kind.UNAVAILABLE, "Blocked", is_block=True)
            for n, nights in sorted(self.own.items())
        ]
        for nights in self.imported:
            uid = f"echo-{nights.start}-{nights.end}"
            events.append(FeedEvent(uid, nights, Kind.UNAVAILABLE, ECHO_SUMMARY, is_block=True))
        return events

    # Applying a plan as the importer does -------------------------------------------

    def applied(self, add, change, cancel, echo_keys) -> list[Booking]:  # type: ignore[no-untyped-def]
        result = {b.id: b for b in self.stored}
        for booking in cancel:
            del result[booking.id]
        for c in change:
            result[c.booking.id] = replace(
                c.booking,
                span=c.event.span,
                kind=c.event.kind,
                summary=c.event.summary,
                is_block=c.event.is_block,
                remote_uid=c.event.key,
                is_echo=c.is_echo,
            )
        for event in add:
            new = Booking(
                id=next(self.ids),
                span=event.span,
                kind=event.kind,
                origin=CHANNEL,
                summary=event.summary,
                is_block=event.is_block,
                is_echo=event.key in echo_keys,
                remote_uid=event.key,
            )
            result[new.id] = new
        return sorted(result.values(), key=lambda b: b.id)

    # What must hold -----------------------------------------------------------------

    def real_days(self) -> set[date]:
        return days_of(b.span for b in self.stored if not b.is_echo)  # type: ignore[misc]

    def check_after_import(self) -> None:
        own_days = days_of(self.own.values())
        real = self.real_days()
        assert real <= own_days, f"echo nights stored as real: {sorted(real - own_days)}"
        still_own = self.real_own_days & own_days
        assert still_own <= real, f"P's own nights freed: {sorted(still_own - real)}"
        self.real_own_days = real

    @invariant()
    def a_cancellation_frees_the_platforms_channel_within_two_fetches(self) -> None:
        if not self.imported_since_fetch:
            return
        held = days_of(b.span for b in self.stored)  # type: ignore[misc]
        # P's own nights as the hub last read them: a closure P lifted since is freed at
        # the next import, not before.
        allowed = self.own_days_imported | days_of(self.local.values())
        due = {day for day, fetches in self.cancelled.items() if fetches >= SNAPSHOTS_CONSIDERED}
        lingering = (due & held) - allowed
        assert not lingering, f"cancelled nights still held: {sorted(lingering)}"


TestEchoesAgainstServedHistory = EchoesAgainstServedHistory.TestCase
TestEchoesAgainstServedHistory.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None
)


def test_without_echo_detection_the_machine_sees_an_echo_stored_as_a_real_block() -> None:
    # The switch the simulation's control run uses: the same steps, detection off.
    machine = EchoesAgainstServedHistory()
    machine.echo_detection = False
    machine.hub_books_a_stay(start=3, length=4)
    machine.platform_fetches_our_feed()
    with pytest.raises(AssertionError, match="echo nights stored as real"):
        machine.hub_imports_the_platforms_feed()
