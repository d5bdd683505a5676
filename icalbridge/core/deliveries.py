"""Tell whether a platform read the nights we sent it, and whether it blocked them.

The hub knows three facts about each channel's export: the versions it served (each with
its runs of nights and the instant it entered the feed), the platform's fetches of it
(when, which version), and the platform's own feed as our imports saw it (the runs of
nights it shows taken, blocked or sold, from the instant each view was first seen). From these alone,
and the instant passed in, a run of nights sent to the platform is:

- ``waiting``: not fetched since it entered the feed;
- ``fetched``: the platform fetched a version holding it;
- ``confirmed``: the platform's own feed shows all its nights taken, since that fetch;
- ``not_applied``: the platform fetched a version holding it at least twice, and a grace
  period after the first of those fetches its feed, read after that moment, still does not
  show them blocked.

Only platforms whose feed shows imported dates back as blocks can confirm or fail to
apply; the others stay at ``fetched``. Nights before ``today`` are not judged: platforms
trim their own past, so a past night missing from their feed says nothing.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from itertools import accumulate

from icalbridge.core.spans import Nights

FETCHES_BEFORE_NOT_APPLIED = 2


class DeliveryState(StrEnum):
    WAITING = "waiting"
    FETCHED = "fetched"
    CONFIRMED = "confirmed"
    NOT_APPLIED = "not_applied"


@dataclass(frozen=True)
class ServedVersion:
    """One version of a channel's export: its ETag, its runs of nights, when it became current."""

    etag: str
    entered_at: datetime
    runs: tuple[Nights, ...]


@dataclass(frozen=True)
class Fetch:
    """One fetch of a channel's export by its platform: when, and which version it got."""

    at: datetime
    etag: str


@dataclass(frozen=True)
class PlatformView:
    """The runs of nights the platform's own feed showed taken, from ``seen_at`` on."""

    seen_at: datetime
    blocked: tuple[Nights, ...]


@dataclass(frozen=True)
class LoopFacts:
    """Everything the hub knows of one channel's export loop, oldest first in each list.

    Versions entered in the same second are told apart by their order in the list.
    """

    versions: Sequence[ServedVersion]
    fetches: Sequence[Fetch]
    views: Sequence[PlatformView]
    shows_imports_as_blocks: bool
    # The last instant the platform's feed was read successfully: a view is known to hold
    # until then, and no later. Without it, "not applied" would be said of a platform whose
    # feed we simply could not read since.
    observed_until: datetime | None

    @cached_property
    def _indexed(self) -> _Loop:
        """The facts ordered and indexed, once for every run judged against them."""
        return _Loop(self)


@dataclass(frozen=True)
class Delivery:
    nights: Nights
    state: DeliveryState
    entered_at: datetime | None
    fetched_at: datetime | None
    confirmed_at: datetime | None
    fetch_count: int


def delivery_of(
    nights: Nights, facts: LoopFacts, *, now: datetime, today: date, grace: timedelta
) -> Delivery:
    """Return where a run of nights held by the current export stands on its platform."""
    return facts._indexed.delivery(nights, now=now, today=today, grace=grace)


def deliveries_of_current_feed(
    facts: LoopFacts, *, now: datetime, today: date, grace: timedelta
) -> list[Delivery]:
    """Return the delivery of each run of nights the current version of the export holds."""
    if not facts.versions:
        return []
    loop = facts._indexed
    return [
        loop.delivery(run, now=now, today=today, grace=grace)
        for run in loop.versions[-1].runs
        if run.end > today
    ]


def deliveries_since(
    facts: LoopFacts, since: datetime, *, now: datetime, today: date, grace: timedelta
) -> list[Delivery]:
    """Return the delivery of every run that entered the export at or after ``since``.

    A run that left the feed is judged as of its last version, and each run against the
    day it entered the feed: what the platform did with it while it was there and ahead
    is still a measure of how fast the platform reads and applies.
    """
    loop = facts._indexed
    ordered = loop.versions
    result: list[Delivery] = []
    for index, version in enumerate(ordered):
        if version.entered_at < since:
            continue
        for run in version.runs:
            if index and loop.holds(index - 1, run):
                continue
            # The run's streak: from this version to the last that holds it without a break.
            end = index
            while end + 1 < len(ordered) and loop.holds(end + 1, run):
                end += 1
            then = min(today, version.entered_at.date())
            streak = ordered[index : end + 1]
            result.append(loop.delivery_in(run, streak, now=now, today=then, grace=grace))
    return result


class _Loop:
    """A channel's loop facts, ordered and indexed once for the deliveries of many runs.

    Which runs a version holds is looked up by bisection, and the fetches of each version are
    kept in time order: judging every run of every version scanned all of them for each
    run, and a unit's export side took longer to derive than the import that changed it.
    """

    def __init__(self, facts: LoopFacts) -> None:
        self.facts = facts
        # Oldest first; two versions entered in the same second keep their order.
        self.versions = sorted(facts.versions, key=lambda v: v.entered_at)
        self._held: dict[int, tuple[list[date], list[date]]] = {}
        self._fetches: dict[str, list[datetime]] | None = None

    def holds(self, index: int, nights: Nights) -> bool:
        """Tell whether one run of version ``index`` holds every night of ``nights``."""
        held = self._held.get(index)
        if held is None:
            runs = sorted(self.versions[index].runs)
            # The furthest end among runs starting at or before each start: some run holds
            # the nights exactly when that reach, before their start, gets to their end.
            held = [r.start for r in runs], list(accumulate((r.end for r in runs), max))
            self._held[index] = held
        starts, reach = held
        before = bisect_right(starts, nights.start)
        return before > 0 and reach[before - 1] >= nights.end

    def current_streak(self, nights: Nights) -> list[ServedVersion]:
        """Return the newest versions, oldest first, that all hold ``nights`` without a break."""
        start = len(self.versions)
        while start > 0 and self.holds(start - 1, nights):
            start -= 1
        return self.versions[start:]

    def fetches_of(self, etags: set[str], since: datetime) -> list[datetime]:
        """Return the times of the fetches of these versions at or after ``since``."""
        if self._fetches is None:
            self._fetches = defaultdict(list)
            for fetch in self.facts.fetches:
                self._fetches[fetch.etag].append(fetch.at)
            for times in self._fetches.values():
                times.sort()
        found: list[datetime] = []
        for etag in etags:
            times = self._fetches.get(etag, [])
            found += times[bisect_left(times, since) :]
        return found

    def delivery(self, nights: Nights, *, now: datetime, today: date, grace: timedelta) -> Delivery:
        streak = self.current_streak(nights)
        return self.delivery_in(nights, streak, now=now, today=today, grace=grace)

    def delivery_in(
        self,
        nights: Nights,
        streak: Sequence[ServedVersion],
        *,
        now: datetime,
        today: date,
        grace: timedelta,
    ) -> Delivery:
        """Return where ``nights`` stand, held by the versions of ``streak`` since the first."""
        facts = self.facts
        entered_at = streak[0].entered_at if streak else None
        holding = self.fetches_of({v.etag for v in streak}, entered_at) if entered_at else []
        fetched_at = min(holding) if holding else None
        if fetched_at is None:
            return Delivery(nights, DeliveryState.WAITING, entered_at, None, None, 0)
        count = len(holding)
        if not facts.shows_imports_as_blocks:
            return Delivery(nights, DeliveryState.FETCHED, entered_at, fetched_at, None, count)
        judged = _from_today(nights, today)
        if judged is None:
            return Delivery(nights, DeliveryState.FETCHED, entered_at, fetched_at, None, count)
        confirmed_at = _first_blocked_since(judged, facts.views, fetched_at)
        if confirmed_at is not None:
            state = DeliveryState.CONFIRMED
        elif _is_overdue(count, fetched_at, facts.observed_until, now, grace):
            state = DeliveryState.NOT_APPLIED
        else:
            state = DeliveryState.FETCHED
        return Delivery(nights, state, entered_at, fetched_at, confirmed_at, count)


def _from_today(nights: Nights, today: date) -> Nights | None:
    if nights.end <= today:
        return None
    return Nights(max(nights.start, today), nights.end)


def _first_blocked_since(
    nights: Nights, views: Sequence[PlatformView], fetched_at: datetime
) -> datetime | None:
    """Return the first instant at or after the fetch when the platform showed the nights blocked.

    A view holds from its ``seen_at`` to the next one's. A view that already blocked the
    nights when the platform fetched them (the platform's own block, or an earlier stay's
    echo on the same dates) confirms them at the fetch: the nights are closed there.
    """
    ordered = sorted(views, key=lambda v: v.seen_at)
    for index, view in enumerate(ordered):
        until = ordered[index + 1].seen_at if index + 1 < len(ordered) else None
        if until is not None and until <= fetched_at:
            continue
        if _is_blocked(nights, view.blocked):
            return max(view.seen_at, fetched_at)
    return None


def _is_overdue(
    fetch_count: int,
    fetched_at: datetime,
    observed_until: datetime | None,
    now: datetime,
    grace: timedelta,
) -> bool:
    deadline = fetched_at + grace
    return (
        fetch_count >= FETCHES_BEFORE_NOT_APPLIED
        and now >= deadline
        and observed_until is not None
        and observed_until >= deadline
    )


def _is_blocked(nights: Nights, blocked: Sequence[Nights]) -> bool:
    """Tell whether runs of blocks cover every night, back-to-back blocks joined."""
    start = nights.start
    for run in sorted(blocked):
        if run.start > start:
            break
        start = max(start, run.end)
        if start >= nights.end:
            return True
    return start >= nights.end
