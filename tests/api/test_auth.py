from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from icalbridge.hub.models import ApiToken, Booking, Channel, Organization, Role
from tests.api.conftest import ApiClient, add_member, problem

SOON = (date.today() + timedelta(days=20)).isoformat()
LATER = (date.today() + timedelta(days=22)).isoformat()


@pytest.fixture
def estate(api: ApiClient, unit: dict[str, Any]) -> dict[str, str]:
    """The host's unit with an exporting channel and a local booking: the ids to probe."""
    channel = api.post(
        f"/units/{unit['id']}/channels",
        {"name": "Site", "platform": "other", "direction": "export"},
    ).json()
    booking = api.post(
        f"/units/{unit['id']}/bookings", {"start": SOON, "end": LATER, "kind": "reserved"}
    ).json()
    return {"unit": unit["id"], "channel": channel["id"], "booking": booking["id"]}


def reads(ids: dict[str, str]) -> list[str]:
    return [
        f"/units/{ids['unit']}/channels",
        f"/units/{ids['unit']}/bookings",
        f"/units/{ids['unit']}/conflicts",
        f"/channels/{ids['channel']}",
        f"/channels/{ids['channel']}/runs",
        f"/bookings/{ids['booking']}",
    ]


def writes(ids: dict[str, str]) -> list[tuple[str, str, dict[str, Any]]]:
    booking = {"start": SOON, "end": LATER, "kind": "unavailable"}
    channel = {"name": "X", "platform": "other", "direction": "export"}
    return [
        ("post", f"/units/{ids['unit']}/bookings", booking),
        ("post", f"/units/{ids['unit']}/channels", channel),
        ("post", f"/channels/{ids['channel']}/reset-export-url", {}),
        ("post", f"/channels/{ids['channel']}/import", {}),
        ("post", f"/channels/{ids['channel']}/confirm", {}),
        ("delete", f"/bookings/{ids['booking']}", {}),
    ]


def send(client: ApiClient, method: str, path: str, body: dict[str, Any]) -> Any:
    return client.delete(path) if method == "delete" else client.post(path, body)


def test_a_request_without_a_token_is_unauthorized(db: None) -> None:
    response = ApiClient(None, Client()).get("/units")
    body = problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert body["detail"]


def test_an_unknown_or_revoked_token_is_unauthorized(api: ApiClient) -> None:
    assert api.get("/units").status_code == 200
    problem(ApiClient("ib_not-a-token", Client()).get("/units"), 401)
    ApiToken.objects.update(revoked_at=timezone.now())
    problem(api.get("/units"), 401)


def test_objects_of_another_organization_are_not_found(
    estate: dict[str, str], other_api: ApiClient
) -> None:
    for path in reads(estate):
        assert problem(other_api.get(path), 404)["detail"]
    for method, path, body in writes(estate):
        problem(send(other_api, method, path, body), 404)
    assert other_api.get("/units").json()["items"] == []
    assert Booking.objects.filter(cancelled_at__isnull=True).count() == 1
    assert Channel.objects.count() == 1


def test_a_malformed_id_is_simply_not_found(api: ApiClient) -> None:
    problem(api.get("/channels/42"), 404)
    problem(api.get("/units/not-an-id/bookings"), 404)


def test_a_viewer_reads_everything_but_cannot_write(
    estate: dict[str, str], organization: Organization
) -> None:
    viewer = add_member(organization, "viewer@example.test", Role.VIEWER)
    for path in reads(estate):
        assert viewer.get(path).status_code == 200, path
    assert [u["id"] for u in viewer.get("/units").json()["items"]] == [estate["unit"]]
    for method, path, body in writes(estate):
        problem(send(viewer, method, path, body), 403)
    assert Booking.objects.filter(cancelled_at__isnull=True).count() == 1
    assert Channel.objects.count() == 1


def test_a_manager_may_write(estate: dict[str, str], organization: Organization) -> None:
    manager = add_member(organization, "manager@example.test", Role.MANAGER)
    assert manager.delete(f"/bookings/{estate['booking']}").status_code == 204
