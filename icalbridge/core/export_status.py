"""The export side of a channel's status: does its platform read our link, and apply it?

Pure: the facts (fetch instants, deliveries, our public address, the platform's habits)
and the instant are passed in; the words are the caller's (see ``sync.export_side``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from statistics import median
from urllib.parse import urlsplit

from icalbridge.core.deliveries import FETCHES_BEFORE_NOT_APPLIED, Delivery, DeliveryState
from icalbridge.core.spans import Nights

SHORTEST_SILENCE = timedelta(hours=24)
SILENCE_FACTOR = 3
ERROR_FACTOR = 3


class ExportState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"
    NEVER = "never"


class ExportReason(StrEnum):
    OK = "ok"
    NEVER_FETCHED = "export_never_fetched"
    UNREACHABLE_ADDRESS = "export_unreachable_address"
    NOT_FETCHED = "export_not_fetched"
    NOT_APPLIED = "export_not_applied"


class AddressProblem(StrEnum):
    """Why a platform on the internet cannot fetch our link."""

    LOCAL_HOST = "local_host"
    PLAIN_HTTP = "plain_http"


@dataclass(frozen=True)
class ExportVerdict:
    state: ExportState
    reason: ExportReason
    address_problem: AddressProblem | None = None
    not_applied: tuple[Nights, ...] = ()
    silent_for: timedelta | None = None


def address_problem(url: str, *, needs_https: bool) -> AddressProblem | None:
    """Tell why a platform on the internet could not fetch ``url``, or None when it can.

    A loopback, private, link-local or reserved address, ``localhost`` or a name without a
    dot (a machine on the local network) cannot be reached from the internet; a platform
    that needs https refuses an http link.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    if not host or _is_local_host(host):
        return AddressProblem.LOCAL_HOST
    if needs_https and parts.scheme != "https":
        return AddressProblem.PLAIN_HTTP
    return None


def _is_local_host(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or host.endswith(".localhost") or "." not in host
    return not address.is_global


def usual_fetch_interval_s(fetch_times: Sequence[datetime], fallback_s: int) -> int:
    """Return the platform's usual time between fetches: the median of its own gaps.

    The median, not the mean: one long outage on the platform's side, or two fetches a
    minute apart, must not move what the hub calls usual.
    """
    gaps = [g for g in fetch_gaps_s(fetch_times) if g > 0]
    return round(median(gaps)) if gaps else fallback_s


def fetch_gaps_s(fetch_times: Sequence[datetime]) -> list[float]:
    """Return the seconds between consecutive fetches."""
    return [(b - a).total_seconds() for a, b in pairwise(sorted(fetch_times))]


def silence_allowed(usual_interval_s: int) -> timedelta:
    """Return how long a platform may go without fetching: 3 usual intervals, at least 24 h."""
    return max(SILENCE_FACTOR * timedelta(seconds=usual_interval_s), SHORTEST_SILENCE)


def export_verdict(
    *,
    created_at: datetime,
    now: datetime,
    last_fetch_at: datetime | None,
    usual_interval_s: int,
    first_fetch_window: timedelta,
    problem: AddressProblem | None,
    deliveries: Sequence[Delivery],
) -> ExportVerdict:
    """Return the export side's state and reason (see the reasons' meaning in docs/alerts.md).

    A platform that does not read at all is told before one that reads and does not apply;
    an address the internet cannot reach is told at once while nothing reads it, and
    not while a platform evidently does.
    """
    if last_fetch_at is None:
        if problem is not None:
            return ExportVerdict(ExportState.WARNING, ExportReason.UNREACHABLE_ADDRESS, problem)
        if now - created_at > first_fetch_window:
            return ExportVerdict(ExportState.WARNING, ExportReason.NEVER_FETCHED)
        return ExportVerdict(ExportState.NEVER, ExportReason.NEVER_FETCHED)
    silent_for = now - last_fetch_at
    allowed = silence_allowed(usual_interval_s)
    if silent_for > allowed:
        state = ExportState.ERROR if silent_for > ERROR_FACTOR * allowed else ExportState.WARNING
        return ExportVerdict(state, ExportReason.NOT_FETCHED, problem, silent_for=silent_for)
    not_applied = tuple(d.nights for d in deliveries if d.state is DeliveryState.NOT_APPLIED)
    if not_applied:
        return ExportVerdict(ExportState.WARNING, ExportReason.NOT_APPLIED, not_applied=not_applied)
    return ExportVerdict(ExportState.OK, ExportReason.OK, silent_for=silent_for)


def next_export_change(
    *,
    now: datetime,
    created_at: datetime,
    last_fetch_at: datetime | None,
    usual_interval_s: int,
    first_fetch_window: timedelta,
    deliveries: Sequence[Delivery],
    judges_application: bool,
    observed_until: datetime | None,
    grace: timedelta,
    next_day: datetime,
    awaiting_recheck: timedelta,
) -> datetime:
    """Return when ``export_verdict`` may next change if no new fact comes: a time to look again.

    Only time moves the verdict between facts: the first fetch's window closing, a silence
    growing past its two thresholds, a grace period ending, a new day (past nights are not
    judged). A new fact (a fetch, a version, the platform's feed changing) is the caller's
    to notice. One case waits on a fact nobody announces: a grace period over while the
    platform's feed was not read since; it is looked at again after ``awaiting_recheck``.
    """
    instants = [next_day]
    if last_fetch_at is None:
        instants.append(created_at + first_fetch_window + _JUST_AFTER)
    else:
        allowed = silence_allowed(usual_interval_s)
        instants += [
            last_fetch_at + allowed + _JUST_AFTER,
            last_fetch_at + ERROR_FACTOR * allowed + _JUST_AFTER,
        ]
    if judges_application:
        for delivery in deliveries:
            if delivery.state is not DeliveryState.FETCHED or delivery.fetched_at is None:
                continue
            deadline = delivery.fetched_at + grace
            observed = observed_until is not None and observed_until >= deadline
            if deadline > now:
                instants.append(deadline)
            elif not observed and delivery.fetch_count >= FETCHES_BEFORE_NOT_APPLIED:
                instants.append(now + awaiting_recheck)
    return min(at for at in instants if at > now)


# The thresholds are strict ("longer than"): the verdict changes at the first instant
# after one, a microsecond later (the finest a datetime tells apart).
_JUST_AFTER = timedelta(microseconds=1)


_STATE_RANK = {
    ExportState.NEVER: 0,
    ExportState.OK: 1,
    ExportState.WARNING: 2,
    ExportState.ERROR: 3,
}


def is_worse(state: str, than: str) -> bool:
    """Tell whether one side's state outranks the other's: error, warning, ok, then never.

    ``never`` ranks lowest: a channel whose import works is not greyed out while its
    platform is still within the window of its first fetch.
    """
    return _STATE_RANK[ExportState(state)] > _STATE_RANK[ExportState(than)]


@dataclass(frozen=True)
class DelayFigures:
    """How a platform treated our export over a period, in seconds (None: nothing measured)."""

    read_interval_p50_s: int | None
    read_interval_p90_s: int | None
    read_delay_p50_s: int | None
    read_delay_p90_s: int | None
    applied_delay_p50_s: int | None
    applied_delay_p90_s: int | None


def delay_figures(fetch_times: Sequence[datetime], deliveries: Sequence[Delivery]) -> DelayFigures:
    """Return the p50 and p90 of the fetch interval, the time to read and the time to apply."""
    gaps = fetch_gaps_s(fetch_times)
    reads = [
        (d.fetched_at - d.entered_at).total_seconds()
        for d in deliveries
        if d.fetched_at and d.entered_at
    ]
    applies = [
        (d.confirmed_at - d.entered_at).total_seconds()
        for d in deliveries
        if d.confirmed_at and d.entered_at
    ]
    return DelayFigures(
        percentile(gaps, 50),
        percentile(gaps, 90),
        percentile(reads, 50),
        percentile(reads, 90),
        percentile(applies, 50),
        percentile(applies, 90),
    )


def percentile(values: Sequence[float], q: int) -> int | None:
    """Return the nearest-rank ``q``-th percentile, in whole seconds; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-q * len(ordered) // 100))
    return round(ordered[rank - 1])
