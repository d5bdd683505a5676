"""The daily digest: one e-mail a day listing the alerts queued for a person.

It goes out at ``ICALBRIDGE_DIGEST_HOUR`` (default 7) in the hub's time zone, to each person
with alerts queued before that time. If the mail server refuses it, the alerts stay queued
and go out in the next day's digest.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

from icalbridge.alerts.mail import address_of, alert_item, default_language, render_message
from icalbridge.hub.models import AlertDelivery, DeliveryKind, DeliveryStatus, UserPreference

log = logging.getLogger(__name__)


def digest_hour() -> int:
    return settings.ICALBRIDGE_DIGEST_HOUR


def digest_slot(now: datetime) -> datetime:
    """Return the latest digest time at or before ``now``."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    slot = local.replace(hour=digest_hour(), minute=0, second=0, microsecond=0)
    if slot > local:
        slot = (local - timedelta(days=1)).replace(
            hour=digest_hour(), minute=0, second=0, microsecond=0
        )
    return slot


def send_due_digests(now: datetime) -> int:
    """Send each person with queued alerts their digest, once per day; return how many."""
    slot = digest_slot(now)
    waiting = (
        AlertDelivery.objects.filter(
            kind=DeliveryKind.DIGEST, status=DeliveryStatus.QUEUED, created_at__lt=slot
        )
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    sent = 0
    for user_id in list(waiting):
        preference, _ = UserPreference.objects.get_or_create(
            user_id=user_id, defaults={"language": default_language()}
        )
        # The conditional UPDATE is the claim: of two workers, one alone sends today's digest.
        is_claimed = (
            UserPreference.objects.filter(pk=preference.pk)
            .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=slot))
            .update(last_digest_at=now)
        )
        if is_claimed:
            sent += _send_digest(user_id, preference.language, now)
    return sent


def _send_digest(user_id: int, language: str, now: datetime) -> int:
    user = get_user_model().objects.get(pk=user_id)
    queued = list(
        AlertDelivery.objects.filter(
            user_id=user_id, kind=DeliveryKind.DIGEST, status=DeliveryStatus.QUEUED
        )
        .select_related("alert__organization", "alert__channel__unit", "alert__conflict__unit")
        .order_by("created_at", "id")
    )
    items = [alert_item(delivery.alert, language) for delivery in queued]
    message = render_message(
        "digest", language, {"items": items, "count": len(items)}, address_of(user)
    )
    try:
        message.send()
    except Exception as exc:
        log.warning("could not send the digest to %s: %s", address_of(user), exc)
        AlertDelivery.objects.filter(pk__in=[d.pk for d in queued]).update(
            error=f"{type(exc).__name__}: {exc}"
        )
        return 0
    AlertDelivery.objects.filter(pk__in=[d.pk for d in queued]).update(
        status=DeliveryStatus.SENT, sent_at=now, error=""
    )
    return 1
