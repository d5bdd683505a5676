"""Claim alerts to send, so that two workers never send one alert twice.

PostgreSQL claims a batch with ``SELECT ... FOR UPDATE SKIP LOCKED``; SQLite, which has a
single writer, claims each row with a conditional UPDATE. A claim is a lease: a worker
killed while sending leaves the alert unhandled, and once the lease runs out the next
worker sends it (recipients already served are skipped, see ``deliver``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from icalbridge.hub.models import Alert

LEASE = timedelta(minutes=5)


def _due(now: datetime) -> QuerySet[Alert]:
    return Alert.objects.filter(handled_at__isnull=True).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def claim_due_alerts(now: datetime, owner: str, limit: int = 50) -> list[int]:
    """Claim up to ``limit`` unhandled alerts for ``owner``, oldest first; return their ids."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            ids = list(
                _due(now)
                .select_for_update(skip_locked=True)
                .order_by("created_at", "id")
                .values_list("id", flat=True)[:limit]
            )
            Alert.objects.filter(id__in=ids).update(claimed_until=now + LEASE, claimed_by=owner)
        return ids
    return [
        alert_id
        for alert_id in _due(now).order_by("created_at", "id").values_list("id", flat=True)[:limit]
        if _due(now).filter(pk=alert_id).update(claimed_until=now + LEASE, claimed_by=owner)
    ]


def finish_alert(alert_id: int, owner: str, now: datetime) -> None:
    """Mark a claimed alert handled: every recipient was served or given up on."""
    Alert.objects.filter(pk=alert_id, claimed_by=owner).update(handled_at=now, claimed_until=None)


def postpone_alert(alert_id: int, owner: str, retry_at: datetime) -> None:
    """Give a claimed alert back, due again at ``retry_at`` (the mail server was down)."""
    Alert.objects.filter(pk=alert_id, claimed_by=owner).update(claimed_until=retry_at)
