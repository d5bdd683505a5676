"""When to poll a channel's feed next: interval, jitter, capped back-off, Retry-After."""

from __future__ import annotations

from datetime import datetime, timedelta

JITTER_SPREAD = 0.10
MAX_RETRY_AFTER_S = 24 * 3600


def next_poll_at(
    now: datetime,
    *,
    interval_s: int,
    jitter: float,
    consecutive_failures: int = 0,
    retry_after_s: int | None = None,
    max_backoff_s: int = 6 * 3600,
) -> datetime:
    """Return when to fetch a channel's feed next.

    ``jitter`` in [0, 1) comes from the caller (the core draws no random numbers). A
    healthy channel waits ``interval_s`` give or take 10%, so channels added together do
    not all hit a platform in the same second forever. After ``n`` consecutive failures
    it waits ``interval_s * 2**(n-1)`` plus up to 10%, capped at ``max_backoff_s`` and
    never less than the interval: a broken server is not hammered, and a fixed one is
    read again within hours. A ``Retry-After`` of the server is honoured when longer,
    up to 24 hours (a larger one would silence the channel for days).
    """
    if not 0 <= jitter < 1:
        raise ValueError(f"jitter must be in [0, 1), got {jitter}")
    if interval_s <= 0:
        raise ValueError(f"the poll interval must be positive, got {interval_s}")
    if consecutive_failures <= 0:
        delay = interval_s * (1 - JITTER_SPREAD + 2 * JITTER_SPREAD * jitter)
    else:
        # Bound the exponent before raising: after weeks of failures 2**n would overflow
        # a float long after it passed any cap.
        growth = 2.0 ** min(consecutive_failures - 1, 62)
        backoff = interval_s * growth * (1 + JITTER_SPREAD * jitter)
        delay = max(float(interval_s), min(backoff, float(max_backoff_s)))
    if retry_after_s is not None and retry_after_s > 0:
        delay = max(delay, float(min(retry_after_s, MAX_RETRY_AFTER_S)))
    return now + timedelta(seconds=delay)
