"""Webhooks: signed JSON, retried with back-off, switched off when dead, every attempt kept."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from icalbridge.alerts.deliver import deliver_due_alerts
from icalbridge.hub.models import AlertDelivery, DeliveryStatus, Organization, Role, WebhookTarget
from tests.alerts.conftest import Inbox, add_member, double_booking, new_host, parts_of
from tests.alerts.receiver import WebhookReceiver

pytestmark = pytest.mark.django_db(transaction=True)

MINUTE = timedelta(minutes=1)


@pytest.fixture
def now() -> datetime:
    return timezone.now()


@pytest.fixture
def organization(inbox: Inbox) -> Organization:
    organization = new_host("marie@example.test", "en")
    add_member(organization, "john@example.test", Role.MANAGER, "en")
    return organization


def attempts(target: WebhookTarget) -> list[AlertDelivery]:
    return list(AlertDelivery.objects.filter(webhook=target).order_by("created_at", "attempt"))


def test_a_webhook_receives_signed_json_that_verifies_with_its_secret(
    organization: Organization, receiver: WebhookReceiver, now: datetime
) -> None:
    target = WebhookTarget.objects.create(organization=organization, url=receiver.url())
    conflict = double_booking(organization, now)

    deliver_due_alerts(now)

    (request,) = receiver.received
    expected = hmac.new(target.secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.header("X-Icalbridge-Signature") == f"sha256={expected}"
    assert request.header("X-Icalbridge-Timestamp") == str(int(now.timestamp()))
    assert request.header("Content-Type") == "application/json"
    body = json.loads(request.body)
    assert body["event"] == "double_booking" and body["attempt"] == 1
    assert body["conflict"]["start"] == conflict.start.isoformat()
    assert body["url"].endswith(f"/conflicts/{conflict.pk}/")
    (delivery,) = attempts(target)
    assert delivery.status == DeliveryStatus.SENT and delivery.response_code == 200


def test_another_organizations_webhook_hears_nothing(
    organization: Organization, receiver: WebhookReceiver, now: datetime
) -> None:
    neighbour = new_host("neighbour@example.test", "fr")
    WebhookTarget.objects.create(organization=neighbour, url=receiver.url("/neighbour"))
    double_booking(organization, now)

    deliver_due_alerts(now)

    assert receiver.received == []


def test_a_failing_webhook_is_retried_with_growing_delays_and_every_attempt_kept(
    organization: Organization, receiver: WebhookReceiver, now: datetime
) -> None:
    target = WebhookTarget.objects.create(organization=organization, url=receiver.url())
    double_booking(organization, now)
    receiver.fail_with(503)

    deliver_due_alerts(now)
    assert deliver_due_alerts(now + 59 * timedelta(seconds=1)) == 0
    deliver_due_alerts(now + MINUTE)
    deliver_due_alerts(now + 4 * MINUTE)
    receiver.succeed()
    assert deliver_due_alerts(now + 12 * MINUTE) == 0
    assert deliver_due_alerts(now + 13 * MINUTE) == 1

    rows = attempts(target)
    assert [(r.attempt, r.status, r.response_code) for r in rows] == [
        (1, DeliveryStatus.FAILED, 503),
        (2, DeliveryStatus.FAILED, 503),
        (3, DeliveryStatus.FAILED, 503),
        (4, DeliveryStatus.SENT, 200),
    ]
    assert [r.created_at - now for r in rows] == [timedelta(0), MINUTE, 4 * MINUTE, 13 * MINUTE]
    assert len(receiver.received) == 4
    assert len({json.loads(r.body)["id"] for r in receiver.received}) == 1
    target.refresh_from_db()
    assert target.is_active and target.consecutive_failures == 0


def test_a_dead_webhook_is_switched_off_after_ten_failures_over_a_day_and_owners_are_told(
    organization: Organization, receiver: WebhookReceiver, inbox: Inbox, now: datetime
) -> None:
    target = WebhookTarget.objects.create(organization=organization, url=receiver.url())
    double_booking(organization, now)
    receiver.fail_with(500)
    deliver_due_alerts(now)
    inbox.clear()

    at = now
    for delay_minutes in (1, 3, 9, 27, 81, 243, 720, 720, 720):
        at += delay_minutes * MINUTE
        deliver_due_alerts(at)

    rows = attempts(target)
    assert [r.attempt for r in rows] == list(range(1, 11))
    assert rows[-1].status == DeliveryStatus.GAVE_UP
    target.refresh_from_db()
    assert not target.is_active and target.disabled_at == at
    assert target.consecutive_failures == 10
    (told,) = inbox.messages
    assert "marie@example.test" in str(told["To"])
    text, html = parts_of(told)
    assert "a webhook was switched off" in str(told["Subject"])
    assert receiver.url() in text and receiver.url() in html
    assert deliver_due_alerts(at + timedelta(days=3)) == 0
    assert len(receiver.received) == 10


def test_ten_quick_failures_do_not_switch_a_webhook_off_before_a_day_has_passed(
    organization: Organization, receiver: WebhookReceiver, now: datetime
) -> None:
    target = WebhookTarget.objects.create(organization=organization, url=receiver.url())
    receiver.fail_with(500)
    for i in range(10):
        double_booking(organization, now, name=f"Studio {i}")
    deliver_due_alerts(now)
    target.refresh_from_db()
    assert target.consecutive_failures == 10 and target.is_active

    double_booking(organization, now, name="Studio 11")
    deliver_due_alerts(now + timedelta(hours=24))
    target.refresh_from_db()
    assert not target.is_active


def test_a_webhook_to_a_private_address_is_refused_unless_allowed(
    organization: Organization, receiver: WebhookReceiver, settings: Any, now: datetime
) -> None:
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = ""
    target = WebhookTarget.objects.create(organization=organization, url=receiver.url())
    double_booking(organization, now)

    deliver_due_alerts(now)

    assert receiver.received == []
    (delivery,) = attempts(target)
    assert delivery.status == DeliveryStatus.FAILED and "private" in delivery.error
