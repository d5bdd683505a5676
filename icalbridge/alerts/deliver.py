"""The worker's one entry point for alerts: make them, send them, retry, send digests.

Alerts that are due together are told together: each person receives one e-mail listing
them (``alerts_message``), so two hostile feeds making hundreds of double bookings send
each person one message a round, not hundreds. Each alert is still its own row, told once
per cause, and its own webhook POST (a receiver deduplicates on the alert's ``id``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db import IntegrityError

from icalbridge.alerts.causes import collect_alerts
from icalbridge.alerts.digest import send_due_digests
from icalbridge.alerts.export_causes import collect_export_alerts
from icalbridge.alerts.mail import address_of, alerts_message, preference_of, recipients_of
from icalbridge.alerts.outbox import claim_due_alerts, finish_alert, postpone_alert
from icalbridge.alerts.push_causes import PUSH_CAUSES, collect_push_alerts
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
# A round makes and claims alerts until none is left, within these bounds, so that one
# burst is one e-mail per person rather than one per batch.
MAX_COLLECT_PASSES = 10
MAX_ALERTS_PER_ROUND = 1000
CLAIM_BATCH = 50


def deliver_due_alerts(now: datetime) -> int:
    """Make the alerts that are due, e-mail and POST them; return how many messages went out."""
    for _ in range(MAX_COLLECT_PASSES):
        # Both kinds in each pass, so that a round's export alerts join the same e-mail.
        if not collect_alerts(now) + collect_export_alerts(now) + collect_push_alerts(now):
            break
    sent = retry_due_webhooks(now)
    owner = f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident()}"
    claimed: list[int] = []
    while len(claimed) < MAX_ALERTS_PER_ROUND:
        batch = claim_due_alerts(now, owner, CLAIM_BATCH)
        claimed += batch
        if len(batch) < CLAIM_BATCH:
            break
    if claimed:
        try:
            sent += deliver_alerts(claimed, owner, now)
        except IntegrityError:
            survivors = list(Alert.objects.filter(pk__in=claimed).values_list("pk", flat=True))
            if len(survivors) == len(claimed):
                raise
            # An alert went with its channel, removed while it was being sent: nothing is
            # left to tell about it, and the others are still due.
            sent += deliver_alerts(survivors, owner, now)
    return sent + send_due_digests(now)


def deliver_alerts(alert_ids: list[int], owner: str, now: datetime) -> int:
    """Tell the recipients of claimed alerts, one e-mail each; return how many messages went out."""
    alerts = list(
        Alert.objects.select_related(
            "organization", "channel__unit", "conflict__unit", "webhook", "caldav_push__agenda"
        )
        .filter(pk__in=alert_ids)
        .order_by("created_at", "id")
    )
    sent = 0
    retry_at: dict[int, datetime] = {}
    for user, theirs in _alerts_by_recipient(alerts).items():
        outcome = _email_user(theirs, user, now)
        if isinstance(outcome, datetime):
            for alert in theirs:
                retry_at[alert.pk] = min(retry_at.get(alert.pk, outcome), outcome)
        else:
            sent += outcome
    for alert in alerts:
        sent += _post_webhooks(alert, now)
        if alert.pk in retry_at:
            postpone_alert(alert.pk, owner, retry_at[alert.pk])
        else:
            finish_alert(alert.pk, owner, now)
    return sent


def _alerts_by_recipient(alerts: list[Alert]) -> dict[Any, list[Alert]]:
    """Return each recipient with the alerts they are to hear about, in the alerts' order."""
    users: dict[int, Any] = {}
    theirs: dict[int, list[Alert]] = defaultdict(list)
    for alert in alerts:
        for user in recipients_of(alert):
            users.setdefault(user.pk, user)
            theirs[user.pk].append(alert)
    return {users[pk]: told for pk, told in theirs.items()}


def _post_webhooks(alert: Alert, now: datetime) -> int:
    # A personal push's alert goes to its owner alone, not to the organization's webhooks.
    if alert.cause == AlertCause.WEBHOOK_DISABLED or alert.cause in PUSH_CAUSES:
        return 0
    sent = 0
    for target in WebhookTarget.objects.filter(
        organization_id=alert.organization_id, is_active=True
    ):
        # A worker killed after posting leaves no record: the receiver may see the alert
        # twice, with the same "id", never zero times.
        if not AlertDelivery.objects.filter(alert=alert, webhook=target).exists():
            delivery = deliver_webhook(alert, target, 1, now)
            sent += delivery.status == DeliveryStatus.SENT
    return sent


def _email_user(alerts: list[Alert], user: Any, now: datetime) -> int | datetime:
    """E-mail one person about alerts in one message, or queue them for their digest.

    Return how many messages went out, or a datetime: the e-mail failed, retry then.
    """
    to_send: list[AlertDelivery] = []
    for alert in alerts:
        mine = AlertDelivery.objects.filter(alert=alert, user_id=user.pk)
        # Skipping those already served is what makes a re-claimed alert safe to send again.
        if mine.filter(status__in=DONE).exists():
            continue
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
            continue
        record.kind = DeliveryKind.EMAIL
        record.attempt = mine.filter(kind=DeliveryKind.EMAIL).count() + 1
        to_send.append(record)
    if not to_send:
        return 0
    try:
        alerts_message([record.alert for record in to_send], user).send()
    except Exception as exc:
        # Any failure (mail server down, a template or link that cannot render) must leave
        # the alerts to be retried rather than take the worker's imports down with them.
        log.warning("could not e-mail %d alert(s) to %s: %s", len(to_send), address_of(user), exc)
        return _record_failure(to_send, f"{type(exc).__name__}: {exc}", now)
    for record in to_send:
        record.status, record.sent_at = DeliveryStatus.SENT, now
        record.save()
    return 1


def _record_failure(records: list[AlertDelivery], error: str, now: datetime) -> int | datetime:
    """Record a failed e-mail; return when to retry, or 0 when every attempt is spent."""
    retry_at: datetime | None = None
    for record in records:
        record.error = error
        if record.attempt >= MAX_ATTEMPTS:
            record.status = DeliveryStatus.GAVE_UP
        else:
            record.status = DeliveryStatus.FAILED
            record.next_attempt_at = now + retry_delay(record.attempt)
            retry_at = min(retry_at or record.next_attempt_at, record.next_attempt_at)
        record.save()
    return retry_at if retry_at is not None else 0
