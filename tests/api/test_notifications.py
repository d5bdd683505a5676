"""Alert preferences and webhook targets through the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import HttpResponse
from django.utils import timezone

from icalbridge.alerts.mail import alert_message, preference_of
from icalbridge.hub.models import (
    Alert,
    AlertCause,
    AuditAction,
    AuditEvent,
    Organization,
    Role,
    WebhookTarget,
)
from tests.api.conftest import ApiClient, add_member, fields_of, problem

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://93.184.215.14/hooks/icalbridge"


def put(api: ApiClient, path: str, body: Any) -> HttpResponse:
    return api.client.put(
        "/api/v1" + path, json.dumps(body), content_type="application/json", headers=api._headers()
    )


def org_id(api: ApiClient) -> str:
    return api.get("/organizations").json()["items"][0]["id"]


def test_preferences_start_french_and_immediate(api: ApiClient) -> None:
    assert api.get("/me/preferences").json() == {"language": "fr", "digest": False}


def test_choosing_english_makes_the_next_alert_email_english(
    api: ApiClient, organization: Organization
) -> None:
    user = organization.memberships.get().user
    target = WebhookTarget.objects.create(organization=organization, url=PUBLIC_URL)
    alert = Alert.objects.create(
        organization=organization,
        cause=AlertCause.WEBHOOK_DISABLED,
        webhook=target,
        created_at=timezone.now(),
    )

    response = put(api, "/me/preferences", {"language": "en", "digest": True})

    assert response.status_code == 200
    assert response.json() == {"language": "en", "digest": True}
    assert api.get("/me/preferences").json() == {"language": "en", "digest": True}
    assert preference_of(user).digest
    assert "a webhook was switched off" in alert_message(alert, user).subject


def test_an_unknown_language_names_the_language_field(api: ApiClient) -> None:
    assert fields_of(put(api, "/me/preferences", {"language": "de", "digest": False})) == [
        "language"
    ]


def test_an_owner_adds_a_webhook_and_gets_its_secret_only_in_that_answer(
    api: ApiClient, organization: Organization
) -> None:
    response = api.post(f"/organizations/{org_id(api)}/webhooks", {"url": PUBLIC_URL})

    assert response.status_code == 201
    created = response.json()
    target = WebhookTarget.objects.get(organization=organization)
    assert created["url"] == PUBLIC_URL and created["secret"] == target.secret
    assert created["is_active"] is True
    listed = api.get(f"/organizations/{org_id(api)}/webhooks").json()["items"]
    assert [w["id"] for w in listed] == [created["id"]]
    assert "secret" not in listed[0] and target.secret not in json.dumps(listed)
    assert AuditEvent.objects.get(action=AuditAction.WEBHOOK_ADDED).target == PUBLIC_URL


@pytest.mark.parametrize(
    "url",
    ["ftp://hooks.example.org/in", "hooks.example.org", "http://127.0.0.1/hook", "http://[::1]/"],
)
def test_a_bad_or_private_url_is_refused_naming_the_url_field(api: ApiClient, url: str) -> None:
    response = api.post(f"/organizations/{org_id(api)}/webhooks", {"url": url})
    assert fields_of(response) == ["url"]
    assert not WebhookTarget.objects.exists()


def test_a_private_url_is_refused_with_its_address_in_the_message(api: ApiClient) -> None:
    response = api.post(f"/organizations/{org_id(api)}/webhooks", {"url": "http://10.1.2.3/"})
    assert "10.1.2.3" in problem(response, 400)["errors"][0]["message"]


def test_an_owner_switches_a_switched_off_webhook_on_again_and_removes_it(
    api: ApiClient, organization: Organization
) -> None:
    created = api.post(f"/organizations/{org_id(api)}/webhooks", {"url": PUBLIC_URL}).json()
    WebhookTarget.objects.update(
        is_active=False, consecutive_failures=10, disabled_at=timezone.now()
    )

    enabled = api.post(f"/webhooks/{created['id']}/enable")

    assert enabled.status_code == 200
    assert enabled.json()["is_active"] is True and enabled.json()["consecutive_failures"] == 0
    assert api.delete(f"/webhooks/{created['id']}").status_code == 204
    assert not WebhookTarget.objects.exists()
    assert AuditEvent.objects.get(action=AuditAction.WEBHOOK_REMOVED).target == PUBLIC_URL
    problem(api.delete(f"/webhooks/{created['id']}"), 404)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_managers_and_viewers_read_the_webhooks_but_cannot_change_them(
    api: ApiClient, organization: Organization, role: Role
) -> None:
    created = api.post(f"/organizations/{org_id(api)}/webhooks", {"url": PUBLIC_URL}).json()
    member = add_member(organization, "someone@example.test", role)

    listed = member.get(f"/organizations/{org_id(api)}/webhooks").json()["items"]

    assert [w["url"] for w in listed] == [PUBLIC_URL] and "secret" not in listed[0]
    problem(member.post(f"/organizations/{org_id(api)}/webhooks", {"url": PUBLIC_URL}), 403)
    problem(member.post(f"/webhooks/{created['id']}/enable"), 403)
    problem(member.delete(f"/webhooks/{created['id']}"), 403)
    assert WebhookTarget.objects.count() == 1


def test_another_organization_gets_not_found(api: ApiClient, other_api: ApiClient) -> None:
    created = api.post(f"/organizations/{org_id(api)}/webhooks", {"url": PUBLIC_URL}).json()

    problem(other_api.get(f"/organizations/{org_id(api)}/webhooks"), 404)
    problem(other_api.post(f"/organizations/{org_id(api)}/webhooks", {"url": PUBLIC_URL}), 404)
    problem(other_api.post(f"/webhooks/{created['id']}/enable"), 404)
    problem(other_api.delete(f"/webhooks/{created['id']}"), 404)
    assert WebhookTarget.objects.count() == 1
