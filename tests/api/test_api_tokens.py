"""API tokens through the API: the key is shown once, lists never show it, revoking is at once."""

from __future__ import annotations

from django.test import Client

from icalbridge.hub.models import AuditEvent, Organization
from tests.api.conftest import ApiClient, fields_of, problem


def test_a_new_token_shows_its_key_once_and_the_key_works(api: ApiClient) -> None:
    response = api.post("/api-tokens", {"name": "Spreadsheet"})
    assert response.status_code == 201
    body = response.json()
    assert body["key"].startswith(body["prefix"]) and body["name"] == "Spreadsheet"
    listed = api.get("/api-tokens").json()["items"]
    assert {t["name"] for t in listed} == {"command line", "Spreadsheet"}
    assert all("key" not in t for t in listed)
    assert body["key"] not in api.get("/api-tokens").content.decode()
    script = ApiClient(body["key"], Client())
    assert script.get("/units").status_code == 200


def test_a_revoked_token_is_refused_at_once(api: ApiClient) -> None:
    body = api.post("/api-tokens", {"name": "Old script"}).json()
    script = ApiClient(body["key"], Client())
    assert api.delete(f"/api-tokens/{body['id']}").status_code == 204
    assert problem(script.get("/units"), 401)
    assert [t["name"] for t in api.get("/api-tokens").json()["items"]] == ["command line"]
    assert problem(api.delete(f"/api-tokens/{body['id']}"), 404)


def test_a_token_can_revoke_itself(api: ApiClient) -> None:
    mine = api.get("/api-tokens").json()["items"][0]
    assert api.delete(f"/api-tokens/{mine['id']}").status_code == 204
    assert problem(api.get("/units"), 401)


def test_nobody_sees_or_revokes_another_users_tokens(api: ApiClient, other_api: ApiClient) -> None:
    theirs = other_api.get("/api-tokens").json()["items"][0]
    assert theirs["id"] not in {t["id"] for t in api.get("/api-tokens").json()["items"]}
    assert problem(api.delete(f"/api-tokens/{theirs['id']}"), 404)
    assert other_api.get("/units").status_code == 200


def test_a_blank_or_long_name_names_the_field(api: ApiClient) -> None:
    assert fields_of(api.post("/api-tokens", {"name": "  "})) == ["name"]
    assert fields_of(api.post("/api-tokens", {"name": "x" * 101})) == ["name"]


def test_making_and_revoking_a_token_is_in_the_audit_log(
    api: ApiClient, organization: Organization
) -> None:
    body = api.post("/api-tokens", {"name": "Spreadsheet"}).json()
    api.delete(f"/api-tokens/{body['id']}")
    events = AuditEvent.objects.filter(organization=organization).order_by("id")
    assert [(e.action, e.target) for e in events] == [
        ("api_token_created", f"Spreadsheet ({body['prefix']}…)"),
        ("api_token_revoked", f"Spreadsheet ({body['prefix']}…)"),
    ]
    assert body["key"] not in str([e.details for e in events])
