"""The Notifications page: one's own e-mail preferences and the organization's webhooks."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from icalbridge.alerts.mail import alert_message, preference_of
from icalbridge.hub.models import (
    Alert,
    AlertCause,
    AuditAction,
    AuditEvent,
    Membership,
    Role,
    WebhookTarget,
)
from tests.web.conftest import make_org

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://93.184.215.14/hooks/icalbridge"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def home() -> Any:
    return make_org("owner@moulin.test", "Gîtes du Moulin")


def _member(home: Any, email: str, role: Role) -> Any:
    user = make_org(email, f"{email}'s own").owner
    Membership.objects.create(user=user, organization=home.organization, role=role)
    # Their own organization came first; the page shows the one they work in.
    Membership.objects.filter(user=user).exclude(organization=home.organization).delete()
    return user


def test_the_page_is_linked_from_the_header_and_the_members_page(home: Any) -> None:
    client = _client(home.owner)
    page = client.get(reverse("members")).content.decode()
    assert page.count(f'href="{reverse("notifications")}"') == 2


def test_a_member_chooses_english_and_the_next_alert_email_is_in_english(home: Any) -> None:
    viewer = _member(home, "viewer@moulin.test", Role.VIEWER)
    target = WebhookTarget.objects.create(organization=home.organization, url=PUBLIC_URL)
    alert = Alert.objects.create(
        organization=home.organization,
        cause=AlertCause.WEBHOOK_DISABLED,
        webhook=target,
        created_at=timezone.now(),
    )
    assert "un webhook a été désactivé" in alert_message(alert, viewer).subject

    response = _client(viewer).post(reverse("notifications"), {"language": "en", "digest": "on"})

    assert response.status_code == 302
    assert preference_of(viewer).language == "en" and preference_of(viewer).digest
    assert "a webhook was switched off" in alert_message(alert, viewer).subject
    # Another member's preference is theirs alone.
    assert preference_of(home.owner).language == "fr"


def test_the_page_shows_the_saved_preferences(home: Any) -> None:
    client = _client(home.owner)
    client.post(reverse("notifications"), {"language": "en"})
    page = client.get(reverse("notifications")).content.decode()
    assert '<option value="en" selected>' in page
    assert 'name="digest"' in page and "checked" not in page


def test_an_owner_adds_a_webhook_and_sees_its_secret_only_once(home: Any) -> None:
    client = _client(home.owner)
    response = client.post(reverse("webhook_add"), {"url": PUBLIC_URL}, follow=True)

    target = WebhookTarget.objects.get(organization=home.organization)
    first = response.content.decode()
    assert target.url == PUBLIC_URL and target.is_active
    assert target.secret in first
    assert "X-Icalbridge-Signature" in first and "docs/alerts.md" in first
    again = client.get(reverse("notifications")).content.decode()
    assert PUBLIC_URL in again and target.secret not in again
    assert AuditEvent.objects.get(action=AuditAction.WEBHOOK_ADDED).target == PUBLIC_URL


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("ftp://hooks.example.org/in", "https://"),
        ("not a link", "https://"),
        ("http://127.0.0.1:8080/hook", "127.0.0.1"),
        ("https://[::1]/hook", "::1"),
        ("http://192.168.1.20/hook", "192.168.1.20"),
    ],
)
def test_a_bad_or_private_webhook_url_is_refused_with_a_reason(
    home: Any, url: str, said: str
) -> None:
    response = _client(home.owner).post(reverse("webhook_add"), {"url": url})

    assert response.status_code == 200
    assert said in response.content.decode()
    assert not WebhookTarget.objects.exists()


def test_a_private_webhook_url_is_accepted_when_the_administrator_allows_it(
    home: Any, settings: Any
) -> None:
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "192.168.0.0/16"
    _client(home.owner).post(reverse("webhook_add"), {"url": "http://192.168.1.20/hook"})
    assert WebhookTarget.objects.get().url == "http://192.168.1.20/hook"


def test_an_owner_switches_a_switched_off_webhook_on_again(home: Any) -> None:
    target = WebhookTarget.objects.create(
        organization=home.organization,
        url=PUBLIC_URL,
        is_active=False,
        consecutive_failures=10,
        failing_since=timezone.now(),
        disabled_at=timezone.now(),
    )
    client = _client(home.owner)
    assert "Réactiver" in client.get(reverse("notifications")).content.decode()

    client.post(reverse("webhook_enable", args=[target.pk]))

    target.refresh_from_db()
    assert target.is_active and target.consecutive_failures == 0 and target.disabled_at is None


def test_an_owner_removes_a_webhook_and_the_audit_log_says_so(home: Any) -> None:
    target = WebhookTarget.objects.create(organization=home.organization, url=PUBLIC_URL)
    _client(home.owner).post(reverse("webhook_remove", args=[target.pk]))
    assert not WebhookTarget.objects.exists()
    assert AuditEvent.objects.get(action=AuditAction.WEBHOOK_REMOVED).target == PUBLIC_URL


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_managers_and_viewers_see_the_webhooks_without_secrets_and_cannot_change_them(
    home: Any, role: Role
) -> None:
    target = WebhookTarget.objects.create(organization=home.organization, url=PUBLIC_URL)
    client = _client(_member(home, "someone@moulin.test", role))

    page = client.get(reverse("notifications")).content.decode()

    assert PUBLIC_URL in page and target.secret not in page
    assert reverse("webhook_add") not in page
    assert client.post(reverse("webhook_add"), {"url": PUBLIC_URL}).status_code == 403
    assert client.post(reverse("webhook_enable", args=[target.pk])).status_code == 403
    assert client.post(reverse("webhook_remove", args=[target.pk])).status_code == 403
    assert list(WebhookTarget.objects.values_list("url", flat=True)) == [PUBLIC_URL]


def test_an_owner_of_another_organization_cannot_touch_our_webhooks(home: Any) -> None:
    target = WebhookTarget.objects.create(organization=home.organization, url=PUBLIC_URL)
    client = _client(make_org("owner@ailleurs.test", "Ailleurs").owner)

    assert PUBLIC_URL not in client.get(reverse("notifications")).content.decode()
    assert client.post(reverse("webhook_remove", args=[target.pk])).status_code == 404
    assert client.post(reverse("webhook_enable", args=[target.pk])).status_code == 404
    assert WebhookTarget.objects.filter(pk=target.pk).exists()
