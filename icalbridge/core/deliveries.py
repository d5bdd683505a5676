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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

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
    streak = _current_streak(nights, facts.versions)
    entered_at = streak[0].entered_at if streak else None
    etags = {v.etag for v in streak}
    holding = [f.at for f in facts.fetches if f.etag in etags and entered_at and f.at >= entered_at]
    fetched_at = min(holding) if holding else None
    if fetched_at is None:
        return Delivery(nights, DeliveryState.WAITING, entered_at, None, None, 0)
    if not facts.shows_imports_as_blocks:
        return Delivery(nights, DeliveryState.FETCHED, entered_at, fetched_at, None, len(holding))
    judged = _from_today(nights, today)
    if judged is None:
        return Delivery(nights, DeliveryState.FETCHED, entered_at, fetched_at, None, len(holding))
    confirmed_at = _first_blocked_since(judged, facts.views, fetched_at)
    if confirmed_at is not None:
        state = DeliveryState.CONFIRMED
    elif _is_overdue(len(holding), fetched_at, facts.observed_until, now, grace):
        state = DeliveryState.NOT_APPLIED
    else:
        state = DeliveryState.FETCHED
    return Delivery(nights, state, entered_at, fetched_at, confirmed_at, len(holding))


def deliveries_of_current_feed(
    facts: LoopFacts, *, now: datetime, today: date, grace: timedelta
) -> list[Delivery]:
    """Return the delivery of each run of nights the current version of the export holds."""
    if not facts.versions:
        return []
    current = _in_order(facts.versions)[-1]
    return [
        delivery_of(run, facts, now=now, today=today, grace=grace)
        for run in current.runs
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
    ordered = _in_order(facts.versions)
    result: list[Delivery] = []
    for index, version in enumerate(ordered):
        if version.entered_at < since:
            continue
        previous = ordered[index - 1].runs if index else ()
        for run in version.runs:
            if any(_covers(old, run) for old in previous):
                continue
            upto = LoopFacts(
                _until_run_leaves(run, ordered, index),
                facts.fetches,
                facts.views,
                facts.shows_imports_as_blocks,
                facts.observed_until,
            )
            then = min(today, version.entered_at.date())
            result.append(delivery_of(run, upto, now=now, today=then, grace=grace))
    return result


def _until_run_leaves(
    run: Nights, ordered: Sequence[ServedVersion], index: int
) -> list[ServedVersion]:
    """Return the versions up to the last one of the streak that starts at ``index``."""
    end = index
    while end + 1 < len(ordered) and any(_covers(r, run) for r in ordered[end + 1].runs):
        end += 1
    return list(ordered[: end + 1])


def _current_streak(nights: Nights, versions: Sequence[ServedVersion]) -> list[ServedVersion]:
    """Return the newest versions, oldest first, that all hold ``nights`` without a break."""
    streak: list[ServedVersion] = []
    for version in reversed(_in_order(versions)):
        if not any(_covers(run, nights) for run in version.runs):
            break
        streak.append(version)
    return streak[::-1]


def _in_order(versions: Sequence[ServedVersion]) -> list[ServedVersion]:
    """Return the versions oldest first; two entered in the same second keep their order."""
    return sorted(versions, key=lambda v: v.entered_at)


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


def _covers(run: Nights, nights: Nights) -> bool:
    return run.start <= nights.start and nights.end <= run.end
