"""API ids stored on their rows: the ids clients held before the upgrade keep working."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from icalbridge.api.ids import derived_id
from icalbridge.hub.models.api_token import hash_api_key
from icalbridge.hub.models.published_feed import hash_of_token
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("hub", "0005_webhook_audit_actions")]
KEY = "ib_" + "k" * 43
SPARE_KEY = "ib_" + "s" * 43


def ids_in(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def rows_made_before_the_upgrade() -> dict[str, Any]:
    """Make a host's rows on the schema of 0005; return the ids the API gave them then."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user_model = old.get_model("auth", "User")
    marie = user_model.objects.create(username="marie@example.test", email="marie@example.test")
    paul = user_model.objects.create(username="paul@example.test", email="paul@example.test")
    organization = old.get_model("hub", "Organization").objects.create(name="Gîte des Lilas")
    membership = old.get_model("hub", "Membership")
    membership.objects.create(user=marie, organization=organization, role="owner")
    pauls = membership.objects.create(user=paul, organization=organization, role="viewer")
    token = old.get_model("hub", "ApiToken")
    tokens = [
        token.objects.create(user=marie, name=name, key_hash=hash_api_key(key), prefix=key[:10])
        for name, key in (("script", KEY), ("spare", SPARE_KEY))
    ]
    agenda = old.get_model("hub", "AgendaFeed").objects.create(
        user=marie, organization=organization, name="Mon agenda"
    )
    # Historical models have no custom save(): the token's hash is set here.
    old.get_model("hub", "PublishedFeed").objects.create(
        agenda=agenda, token="t" * 32, token_hash=hash_of_token("t" * 32)
    )
    webhook = old.get_model("hub", "WebhookTarget").objects.create(
        organization=organization, url="https://hooks.example.test/x", secret="s" * 32
    )
    return {
        "organization": derived_id("organization", organization.pk),
        "tokens": [derived_id("api-token", t.pk) for t in tokens],
        "members": {derived_id("membership", m.pk) for m in membership.objects.all()},
        "paul": derived_id("membership", pauls.pk),
        "agenda": derived_id("agenda-feed", agenda.pk),
        "webhook": derived_id("webhook", webhook.pk),
    }


def upgrade() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_ids_clients_held_before_the_upgrade_name_the_same_rows_after_it() -> None:
    held = rows_made_before_the_upgrade()
    upgrade()
    api = ApiClient(KEY, Client())
    organization = held["organization"]

    assert ids_in(api.get("/api-tokens")) == set(held["tokens"])
    assert ids_in(api.get("/agenda-feeds")) == {held["agenda"]}
    assert ids_in(api.get(f"/organizations/{organization}/members")) == held["members"]
    assert ids_in(api.get(f"/organizations/{organization}/webhooks")) == {held["webhook"]}

    changed = api.patch(
        f"/organizations/{organization}/members/{held['paul']}", {"role": "manager"}
    )
    assert changed.status_code == 200 and changed.json()["role"] == "manager"
    assert api.delete(f"/webhooks/{held['webhook']}").status_code == 204
    assert api.delete(f"/agenda-feeds/{held['agenda']}").status_code == 204
    assert api.delete(f"/api-tokens/{held['tokens'][1]}").status_code == 204
    assert ids_in(api.get("/api-tokens")) == {held["tokens"][0]}
    assert ids_in(api.get(f"/organizations/{organization}/webhooks")) == set()


def test_an_id_of_another_kind_or_a_malformed_one_finds_nothing() -> None:
    held = rows_made_before_the_upgrade()
    upgrade()
    api = ApiClient(KEY, Client())

    assert api.delete(f"/webhooks/{held['agenda']}").status_code == 404
    assert api.delete(f"/agenda-feeds/{held['webhook']}").status_code == 404
    assert api.delete("/api-tokens/not-an-id").status_code == 404
    assert ids_in(api.get("/agenda-feeds")) == {held["agenda"]}
