"""How far behind the schedule the workers are, read from the channels' own schedule."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from icalbridge.hub.models import Channel


def waiting_channels(now: datetime) -> QuerySet[Channel]:
    """Return the channels that are due and that no worker has claimed yet."""
    return (
        Channel.objects.filter(is_active=True, next_poll_at__lte=now)
        .exclude(import_url="")
        .exclude(direction="export")
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def oldest_due_lag_s(now: datetime) -> float:
    """Return how long the longest-waiting due channel has waited; 0 when none waits."""
    oldest = (
        waiting_channels(now)
        .order_by("next_poll_at")
        .values_list("next_poll_at", flat=True)
        .first()
    )
    return 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
