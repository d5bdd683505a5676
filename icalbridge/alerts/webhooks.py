"""Webhooks: alerts POSTed as signed JSON, retried with back-off, switched off when dead.

Every attempt is an ``AlertDelivery`` row. A failed attempt is retried after 1 minute,
then 3, 9, 27 minutes and so on (times 3, at most 12 hours apart), 10 attempts in all
(about 42 hours). A target that failed 10 times in a row, the first of them at least
24 hours ago, is switched off and the organization's owners are told by e-mail.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.db.models import F
from django.utils import translation

from icalbridge import __version__
from icalbridge.alerts.causes import EXPORT_CAUSES
from icalbridge.alerts.links import page_url
from icalbridge.alerts.mail import not_applied_dates
from icalbridge.hub.models import (
    Alert,
    AlertCause,
    AlertDelivery,
    Channel,
    DeliveryKind,
    DeliveryStatus,
    WebhookTarget,
)
from icalbridge.outbound.addresses import AddressRefused, ResolutionFailed, pinned_address
from icalbridge.outbound.policy import fetch_policy
from icalbridge.wording.run_texts import channel_error_text

SIGNATURE_HEADER = "X-Icalbridge-Signature"
TIMESTAMP_HEADER = "X-Icalbridge-Timestamp"
MAX_ATTEMPTS = 10
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=12)
SWITCH_OFF_AFTER_FAILURES = 10
SWITCH_OFF_AFTER = timedelta(hours=24)
TIMEOUT_S = 10.0
# While one worker sends a retry, the row is not due for the others.
RETRY_LEASE = timedelta(minutes=5)
BATCH = 100


@dataclass(frozen=True)
class PostResult:
    status_code: int | None
    error: str

    @property
    def is_success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signature_of(secret: str, body: bytes) -> str:
    """Return the signature header's value: ``sha256=`` and the HMAC-SHA256 of the body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def retry_delay(attempt: int) -> timedelta:
    """Return how long to wait after the failed attempt number ``attempt`` (from 1)."""
    return min(FIRST_DELAY * 3 ** (attempt - 1), LONGEST_DELAY)


def payload_of(alert: Alert, now: datetime, attempt: int) -> dict[str, Any]:
    """Return the JSON document a webhook receives for an alert."""
    payload: dict[str, Any] = {
        "id": str(alert.public_id),
        "event": alert.cause,
        "created_at": alert.created_at.isoformat(),
        "sent_at": now.isoformat(),
        "attempt": attempt,
        "organization": alert.organization.name,
        "url": page_url(alert),
    }
    if alert.channel is not None:
        channel = alert.channel
        payload["unit"] = {"id": str(channel.unit.public_id), "name": channel.unit.name}
        payload["channel"] = {
            "id": str(channel.public_id),
            "name": channel.name,
            "platform": channel.platform,
            "state": channel.state,
            "consecutive_failures": channel.consecutive_failures,
            "last_error_code": channel.last_error_code or None,
            # Webhooks have no reader of their own: the hub's language (LANGUAGE_CODE).
            "last_error": _error_text(channel),
            "last_success_at": (
                channel.last_success_at.isoformat() if channel.last_success_at else None
            ),
        }
        if alert.cause in EXPORT_CAUSES:
            payload["export"] = {
                "state": channel.export_state or None,
                "reason": channel.export_reason or None,
                "last_fetch_at": (
                    channel.last_export_fetch_at.isoformat()
                    if channel.last_export_fetch_at
                    else None
                ),
                "not_applied": [
                    {"start": start.isoformat(), "end": end.isoformat()}
                    for start, end in not_applied_dates(alert.message)
                ],
            }
    if alert.conflict is not None:
        conflict = alert.conflict
        payload["unit"] = {"id": str(conflict.unit.public_id), "name": conflict.unit.name}
        payload["conflict"] = {
            "id": conflict.pk,
            "start": conflict.start.isoformat(),
            "end": conflict.end.isoformat(),
            "bookings": [str(conflict.first.public_id), str(conflict.second.public_id)],
        }
    return payload


def _error_text(channel: Channel) -> str | None:
    with translation.override(settings.LANGUAGE_CODE):
        return channel_error_text(channel) or None


def post_signed(url: str, secret: str, body: bytes, now: datetime) -> PostResult:
    """POST a signed body to a public address (the fetch policy's guard applies)."""
    policy = fetch_policy()
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https"):
        return PostResult(None, f"Only http and https links can receive webhooks, not {url}.")
    host = parsed.raw_host.decode("ascii")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        # Resolve once and connect to the checked address, so a DNS answer cannot change
        # between the check and the connection (DNS rebinding into the private network).
        address = pinned_address(
            host, port, allow_private=policy.allow_private, allowed_networks=policy.allowed_networks
        )
    except (AddressRefused, ResolutionFailed) as exc:
        return PostResult(None, str(exc))
    headers = {
        "Host": parsed.netloc.decode("ascii"),
        "Content-Type": "application/json",
        "User-Agent": f"icalbridge/{__version__} (webhook)",
        SIGNATURE_HEADER: signature_of(secret, body),
        TIMESTAMP_HEADER: str(int(now.timestamp())),
    }
    extensions = {"sni_hostname": host} if parsed.scheme == "https" else {}
    try:
        with httpx.Client(trust_env=False, follow_redirects=False, timeout=TIMEOUT_S) as client:
            request = client.build_request(
                "POST",
                parsed.copy_with(host=str(address)),
                headers=headers,
                content=body,
                extensions=extensions,
            )
            response = client.send(request)
    except httpx.HTTPError as exc:
        return PostResult(None, f"{type(exc).__name__}: {exc}")
    if 200 <= response.status_code < 300:
        return PostResult(response.status_code, "")
    return PostResult(response.status_code, f"HTTP {response.status_code}: {response.text[:200]}")


def deliver_webhook(
    alert: Alert, target: WebhookTarget, attempt: int, now: datetime
) -> AlertDelivery:
    """Send one attempt of an alert to a target, record it, and schedule what follows."""
    body = json.dumps(payload_of(alert, now, attempt), ensure_ascii=False).encode()
    result = post_signed(target.url, target.secret, body, now)
    delivery = AlertDelivery(
        alert=alert,
        kind=DeliveryKind.WEBHOOK,
        channel_id=alert.channel_id,
        conflict_id=alert.conflict_id,
        webhook=target,
        attempt=attempt,
        response_code=result.status_code,
        error=result.error,
        created_at=now,
    )
    if result.is_success:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        WebhookTarget.objects.filter(pk=target.pk).update(
            consecutive_failures=0, failing_since=None
        )
        delivery.save()
        return delivery
    is_switched_off = _count_failure(target, now)
    if attempt < MAX_ATTEMPTS and not is_switched_off:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = now + retry_delay(attempt)
    else:
        delivery.status = DeliveryStatus.GAVE_UP
    delivery.save()
    return delivery


def _count_failure(target: WebhookTarget, now: datetime) -> bool:
    """Count a failure against the target; switch it off when dead. True if it is off."""
    WebhookTarget.objects.filter(pk=target.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    WebhookTarget.objects.filter(pk=target.pk, failing_since__isnull=True).update(failing_since=now)
    target.refresh_from_db()
    if not target.is_active:
        return True
    assert target.failing_since is not None
    is_dead = (
        target.consecutive_failures >= SWITCH_OFF_AFTER_FAILURES
        and now - target.failing_since >= SWITCH_OFF_AFTER
    )
    # The conditional UPDATE makes one worker alone switch it off and tell the owners.
    if is_dead and WebhookTarget.objects.filter(pk=target.pk, is_active=True).update(
        is_active=False, disabled_at=now
    ):
        Alert.objects.create(
            organization_id=target.organization_id,
            cause=AlertCause.WEBHOOK_DISABLED,
            webhook=target,
            created_at=now,
        )
    return is_dead


def retry_due_webhooks(now: datetime) -> int:
    """Send the webhook attempts whose back-off has run out; return how many got through."""
    due = AlertDelivery.objects.filter(
        kind=DeliveryKind.WEBHOOK, status=DeliveryStatus.FAILED, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "id")
    sent = 0
    for row_id, due_at in due.values_list("id", "next_attempt_at")[:BATCH]:
        claimed = AlertDelivery.objects.filter(
            pk=row_id, status=DeliveryStatus.FAILED, next_attempt_at=due_at
        ).update(next_attempt_at=now + RETRY_LEASE)
        if not claimed:
            continue
        failed = AlertDelivery.objects.select_related(
            "webhook", "alert__organization", "alert__channel__unit", "alert__conflict__unit"
        ).get(pk=row_id)
        assert failed.webhook is not None
        if failed.webhook.is_active:
            retried = deliver_webhook(failed.alert, failed.webhook, failed.attempt + 1, now)
            sent += retried.status == DeliveryStatus.SENT
        else:
            failed.status = DeliveryStatus.GAVE_UP
        failed.next_attempt_at = None
        failed.save(update_fields=["status", "next_attempt_at"])
    return sent
