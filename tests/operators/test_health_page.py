"""The operator's health page shows every organization's trouble, to staff only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from icalbridge.hub.models import (
    Alert,
    AlertCause,
    AlertDelivery,
    Channel,
    ChannelState,
    DeliveryStatus,
    ImportRun,
    Unit,
    WebhookTarget,
)
from icalbridge.operators.health import hub_health
from icalbridge.organizations.owners import new_user_with_organization
from icalbridge.sync.importer import import_channel
from tests.support.feed_server import FeedServer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_feeds(settings: Any) -> None:
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    settings.ICALBRIDGE_FETCH_TIMEOUT_S = 2
    settings.ICALBRIDGE_FAILURES_BEFORE_ERROR = 3


def failing_channel(feed_server: FeedServer, owner: str, unit_name: str) -> Channel:
    """A channel of a new organization whose last three imports failed."""
    _, organization = new_user_with_organization(owner, "a-long-password-1", owner)
    unit = Unit.objects.create(organization=organization, name=unit_name)
    path = f"/{unit_name.replace(' ', '-')}.ics"
    feed_server.fault(path, "status", code=500)
    channel = Channel.objects.create(
        unit=unit, name="Airbnb", platform="airbnb", import_url=feed_server.url(path)
    )
    for _ in range(3):
        import_channel(channel.pk)
    channel.refresh_from_db()
    assert channel.state == ChannelState.ERROR
    return channel


@pytest.fixture
def staff() -> Client:
    user = get_user_model().objects.create_user(
        username="ops@example.test", password="a-long-password-1", is_staff=True
    )
    client = Client()
    client.force_login(user)
    return client


def test_staff_sees_the_failing_channels_of_every_organization(
    staff: Client, feed_server: FeedServer
) -> None:
    failing_channel(feed_server, "marie@example.test", "Gîte des Lilas")
    failing_channel(feed_server, "paul@example.test", "Studio du port")

    response = staff.get("/operator/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Gîte des Lilas" in page and "Studio du port" in page
    assert "marie@example.test" in page and "paul@example.test" in page
    assert "500" in page


def test_a_host_who_is_not_staff_is_sent_to_sign_in_as_an_operator(feed_server: FeedServer) -> None:
    failing_channel(feed_server, "marie@example.test", "Gîte des Lilas")
    client = Client()
    client.force_login(get_user_model().objects.get(username="marie@example.test"))

    response = client.get("/operator/", follow=True)

    assert response.redirect_chain[0][0].startswith("/accounts/login/?next=/operator/")
    assert "Gîte des Lilas" not in response.content.decode()


def test_a_stranger_is_sent_to_the_login_page() -> None:
    response = Client().get("/operator/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] and "next=/operator/" in response["Location"]


def test_the_health_counts_queue_lag_imports_and_failing_deliveries(
    feed_server: FeedServer,
) -> None:
    now = timezone.now()
    channel = failing_channel(feed_server, "marie@example.test", "Gîte des Lilas")
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=now - timedelta(minutes=7))
    target = WebhookTarget.objects.create(
        organization=channel.unit.organization, url="https://hooks.example.test/x"
    )
    alert = Alert.objects.create(
        organization=channel.unit.organization,
        cause=AlertCause.FAILING,
        channel=channel,
        created_at=now,
    )
    AlertDelivery.objects.create(
        alert=alert,
        kind="webhook",
        webhook=target,
        status=DeliveryStatus.FAILED,
        error="HTTP 502",
        created_at=now,
        next_attempt_at=now + timedelta(minutes=1),
    )

    health = hub_health(now)

    assert health.queue_lag == timedelta(minutes=7) and health.due_count == 1
    assert health.imports_last_hour == {"failed": ImportRun.objects.count()}
    assert health.failing_count == 1 and health.failing_delivery_count == 1
    assert hub_health(now + timedelta(hours=2)).imports_last_hour == {}
