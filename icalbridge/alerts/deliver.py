"""The worker's one entry point for alerts: make them, send them, retry, send digests."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser

from icalbridge.alerts.causes import collect_alerts
from icalbridge.alerts.digest import send_due_digests
from icalbridge.alerts.export_causes import collect_export_alerts
from icalbridge.alerts.mail import address_of, alert_message, preference_of, recipients_of
from icalbridge.alerts.outbox import claim_due_alerts, finish_alert, postpone_alert
from icalbridge.alerts.webhooks import (
    MAX_ATTEMPTS,
    deliver_webhook,
    retry_delay,
    retry_due_webhooks,
)
from icalbridge.hub.models import (
    Alert,
    AlertCause,
    AlertDelivery,
    DeliveryKind,
    DeliveryStatus,
    WebhookTarget,
)

log = logging.getLogger(__name__)

# Told at once even to those who chose the daily digest: a double booking needs a decision
# before the guest arrives, and a switched-off webhook hides every later alert.
IMMEDIATE_CAUSES = frozenset({AlertCause.DOUBLE_BOOKING, AlertCause.WEBHOOK_DISABLED})
DONE = (DeliveryStatus.SENT, DeliveryStatus.QUEUED, DeliveryStatus.GAVE_UP)


def deliver_due_alerts(now: datetime) -> int:
    """Make the alerts that are due, e-mail and POST them; return how many messages went out."""
    collect_alerts(now)
    collect_export_alerts(now)
    sent = retry_due_webhooks(now)
    owner = f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident()}"
    for alert_id in claim_due_alerts(now, owner):
        sent += deliver_alert(alert_id, owner, now)
    return sent + send_due_digests(now)


def deliver_alert(alert_id: int, owner: str, now: datetime) -> int:
    """Tell every recipient of a claimed alert once; return how many messages went out."""
    alert = Alert.objects.select_related(
        "organization", "channel__unit", "conflict__unit", "webhook"
    ).get(pk=alert_id)
    sent = 0
    retry_at: datetime | None = None
    for user in recipients_of(alert):
        outcome = _email_user(alert, user, now)
        if isinstance(outcome, datetime):
            retry_at = min(retry_at or outcome, outcome)
        else:
            sent += outcome
    if alert.cause != AlertCause.WEBHOOK_DISABLED:
        for target in WebhookTarget.objects.filter(
            organization_id=alert.organization_id, is_active=True
        ):
            # A worker killed after posting leaves no record: the receiver may see the alert
            # twice, with the same "id", never zero times.
            if not AlertDelivery.objects.filter(alert=alert, webhook=target).exists():
                delivery = deliver_webhook(alert, target, 1, now)
                sent += delivery.status == DeliveryStatus.SENT
    if retry_at is None:
        finish_alert(alert_id, owner, now)
    else:
        postpone_alert(alert_id, owner, retry_at)
    return sent


def _email_user(alert: Alert, user: AbstractBaseUser, now: datetime) -> int | datetime:
    """E-mail one person, or queue the alert for their digest; a datetime means retry then."""
    mine = AlertDelivery.objects.filter(alert=alert, user_id=user.pk)
    # Skipping those already served is what makes a re-claimed alert safe to send again.
    if mine.filter(status__in=DONE).exists():
        return 0
    record = AlertDelivery(
        alert=alert,
        channel_id=alert.channel_id,
        conflict_id=alert.conflict_id,
        user_id=user.pk,
        email=address_of(user),
        created_at=now,
    )
    if preference_of(user).digest and alert.cause not in IMMEDIATE_CAUSES:
        record.kind, record.status = DeliveryKind.DIGEST, DeliveryStatus.QUEUED
        record.save()
        return 0
    record.kind = DeliveryKind.EMAIL
    record.attempt = mine.filter(kind=DeliveryKind.EMAIL).count() + 1
    try:
        alert_message(alert, user).send()
    except Exception as exc:
        # Any failure (mail server down, a template or link that cannot render) must leave
        # the alert to be retried rather than take the worker's imports down with it.
        log.warning("could not e-mail alert %s to %s: %s", alert.pk, record.email, exc)
        record.error = f"{type(exc).__name__}: {exc}"
        if record.attempt >= MAX_ATTEMPTS:
            record.status = DeliveryStatus.GAVE_UP
            record.save()
            return 0
        record.status = DeliveryStatus.FAILED
        record.next_attempt_at = now + retry_delay(record.attempt)
        record.save()
        return record.next_attempt_at
    record.status, record.sent_at = DeliveryStatus.SENT, now
    record.save()
    return 1
