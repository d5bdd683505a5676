"""Recognise moving horizon blocks: the far future a platform closes beyond its window.

docs/domain.md rule 12. Airbnb closes every date beyond a listing's booking window with one long
"Airbnb (Not available)" block at the far end of its feed, whose edge moves every day (a
corpus feed fetched on 2025-10-22 ends with a 205-night block up to 2026-10-23). Such a
block says nothing about the host's availability elsewhere: exported to other channels,
it would close their far future too. Reconcile keeps it and updates it in place (same
UID, so a Change, never cancel + add); exports skip it.

The shape is recognised, not the summary, with thresholds chosen so that no ordinary stay
or host block passes: the block must reach the feed's farthest end, end at least
``HORIZON_MIN_DAYS_AHEAD`` days after today (booking windows are 3 to 24 months; a feed
whose window is shorter keeps its horizon exported, the conservative side: it only closes
dates) and last at least ``HORIZON_MIN_NIGHTS`` nights. Only platforms known to publish
such blocks are read this way: on Booking.com a long closure may hide a sold stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from icalbridge.core.feed import FeedEvent
from icalbridge.core.spans import Nights

HORIZON_MIN_DAYS_AHEAD = 180
HORIZON_MIN_NIGHTS = 28
MOVING_HORIZON_PLATFORMS = frozenset({"airbnb"})


def find_horizon_keys(
    events: Sequence[FeedEvent], *, today: date, platform_id: str | None
) -> frozenset[str]:
    """Return the keys of the events that are a platform's moving horizon block.

    A horizon block is an all-day block (``is_block``) on a platform of
    ``MOVING_HORIZON_PLATFORMS`` that ends on the farthest end date of the feed, at least
    ``HORIZON_MIN_DAYS_AHEAD`` days after ``today``, and spans at least
    ``HORIZON_MIN_NIGHTS`` nights. An unknown platform (``None``) has none.
    """
    if platform_id not in MOVING_HORIZON_PLATFORMS or not events:
        return frozenset()
    farthest = max(_end_day(event) for event in events)
    if farthest < today + timedelta(days=HORIZON_MIN_DAYS_AHEAD):
        return frozenset()
    return frozenset(
        event.key
        for event in events
        if event.is_block
        and isinstance(event.span, Nights)
        and event.span.end == farthest
        and event.span.count >= HORIZON_MIN_NIGHTS
    )


def _end_day(event: FeedEvent) -> date:
    span = event.span
    return span.end if isinstance(span, Nights) else span.end.date()
