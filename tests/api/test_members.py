"""Members and roles through the API: owners manage them, an organization keeps an owner."""

from __future__ import annotations

from typing import Any

from django.test import Client

from icalbridge.hub.models import AuditEvent, Organization, Role
from tests.api.conftest import ApiClient, add_member, create_host, fields_of, problem


def org_id(api: ApiClient) -> str:
    return api.get("/organizations").json()["items"][0]["id"]


def members_of(api: ApiClient, org: str) -> dict[str, dict[str, Any]]:
    response = api.get(f"/organizations/{org}/members")
    assert response.status_code == 200
    return {m["email"]: m for m in response.json()["items"]}


def test_a_host_sees_their_organization_and_their_role(api: ApiClient) -> None:
    body = api.get("/organizations").json()
    assert [(o["name"], o["role"]) for o in body["items"]] == [("host", "owner")]


def test_an_owner_adds_an_existing_user_with_a_role_and_they_see_the_units(
    api: ApiClient, organization: Organization, unit: dict[str, Any]
) -> None:
    guest_token = create_host("cleaner@example.test")
    org = org_id(api)
    response = api.post(
        f"/organizations/{org}/members", {"email": "Cleaner@Example.test", "role": "viewer"}
    )
    assert response.status_code == 201
    assert (response.json()["email"], response.json()["role"]) == ("cleaner@example.test", "viewer")
    guest = ApiClient(guest_token, Client())
    assert unit["id"] in {u["id"] for u in guest.get("/units").json()["items"]}
    assert set(members_of(api, org)) == {"host@example.test", "cleaner@example.test"}


def test_adding_an_unknown_address_names_the_email_field(api: ApiClient) -> None:
    response = api.post(f"/organizations/{org_id(api)}/members", {"email": "nobody@example.test"})
    assert fields_of(response) == ["email"]


def test_adding_a_member_twice_is_a_conflict(api: ApiClient, organization: Organization) -> None:
    add_member(organization, "manager@example.test", Role.MANAGER)
    response = api.post(f"/organizations/{org_id(api)}/members", {"email": "manager@example.test"})
    assert problem(response, 409)["type"].endswith("already-member")


def test_a_bad_role_names_the_role_field(api: ApiClient) -> None:
    create_host("x@example.test")
    response = api.post(
        f"/organizations/{org_id(api)}/members", {"email": "x@example.test", "role": "admin"}
    )
    assert fields_of(response) == ["role"]


def test_an_owner_changes_a_role_and_removes_a_member(
    api: ApiClient, organization: Organization, unit: dict[str, Any]
) -> None:
    manager = add_member(organization, "manager@example.test", Role.MANAGER)
    org = org_id(api)
    member = members_of(api, org)["manager@example.test"]
    changed = api.patch(f"/organizations/{org}/members/{member['id']}", {"role": "viewer"})
    assert changed.status_code == 200 and changed.json()["role"] == "viewer"
    new_channel = {"name": "Abritel", "platform": "abritel", "direction": "export"}
    assert problem(manager.post(f"/units/{unit['id']}/channels", new_channel), 403)
    assert api.delete(f"/organizations/{org}/members/{member['id']}").status_code == 204
    assert "manager@example.test" not in members_of(api, org)
    assert manager.get(f"/organizations/{org}/members").status_code == 404


def test_only_owners_change_members(api: ApiClient, organization: Organization) -> None:
    manager = add_member(organization, "manager@example.test", Role.MANAGER)
    org = org_id(api)
    host = members_of(api, org)["host@example.test"]
    assert set(members_of(manager, org)) == {"host@example.test", "manager@example.test"}
    refused = manager.patch(f"/organizations/{org}/members/{host['id']}", {"role": "viewer"})
    assert problem(refused, 403)["type"].endswith("/forbidden")
    assert problem(manager.delete(f"/organizations/{org}/members/{host['id']}"), 403)
    assert problem(manager.post(f"/organizations/{org}/members", {"email": "a@b.test"}), 403)


def test_the_last_owner_can_be_neither_demoted_nor_removed(api: ApiClient) -> None:
    org = org_id(api)
    me = members_of(api, org)["host@example.test"]
    demoted = api.patch(f"/organizations/{org}/members/{me['id']}", {"role": "manager"})
    assert problem(demoted, 409)["type"].endswith("last-owner")
    assert problem(api.delete(f"/organizations/{org}/members/{me['id']}"), 409)
    assert members_of(api, org)["host@example.test"]["role"] == "owner"


def test_a_second_owner_lets_the_first_step_down(
    api: ApiClient, organization: Organization
) -> None:
    add_member(organization, "partner@example.test", Role.OWNER)
    org = org_id(api)
    me = members_of(api, org)["host@example.test"]
    assert (
        api.patch(f"/organizations/{org}/members/{me['id']}", {"role": "manager"}).json()["role"]
        == "manager"
    )


def test_another_organization_is_not_found(api: ApiClient, other_api: ApiClient) -> None:
    theirs = org_id(other_api)
    assert problem(api.get(f"/organizations/{theirs}/members"), 404)
    assert problem(api.post(f"/organizations/{theirs}/members", {"email": "x@y.test"}), 404)
    assert problem(api.get("/organizations/not-an-id/members"), 404)


def test_member_changes_made_through_the_api_are_in_the_audit_log(
    api: ApiClient, organization: Organization
) -> None:
    create_host("new@example.test")
    org = org_id(api)
    added = api.post(f"/organizations/{org}/members", {"email": "new@example.test"}).json()
    api.patch(f"/organizations/{org}/members/{added['id']}", {"role": "manager"})
    api.delete(f"/organizations/{org}/members/{added['id']}")
    events = AuditEvent.objects.filter(organization=organization).order_by("id")
    assert [(e.action, e.target, e.actor_email) for e in events] == [
        ("member_added", "new@example.test", "host@example.test"),
        ("role_changed", "new@example.test", "host@example.test"),
        ("member_removed", "new@example.test", "host@example.test"),
    ]
    assert events[1].details == {"before": "viewer", "role": "manager"}
