from __future__ import annotations

from typing import Any

import pytest

from icalbridge.hub.models import Organization, Role, Unit
from tests.api.conftest import ApiClient, add_member, fields_of, problem


def test_creating_a_unit_answers_its_id_and_settings(api: ApiClient) -> None:
    response = api.post(
        "/units",
        {"name": "Gîte des Lilas", "timezone": "Europe/Paris", "check_in": "17:00"},
    )
    assert response.status_code == 201
    body = response.json()
    unit = Unit.objects.get()
    assert body == {
        "id": str(unit.public_id),
        "organization": body["organization"],
        "name": "Gîte des Lilas",
        "timezone": "Europe/Paris",
        "check_in": "17:00",
        "check_out": "10:00",
        "booked_by_the_hour": False,
    }
    assert unit.organization.memberships.get().user.username == "host@example.test"


def test_a_room_booked_by_the_hour_says_so_when_created_and_listed(api: ApiClient) -> None:
    created = api.post(
        "/units", {"name": "Salle Debussy", "timezone": "Europe/Paris", "booked_by_the_hour": True}
    )
    assert created.status_code == 201 and created.json()["booked_by_the_hour"] is True
    assert Unit.objects.get().booked_by_the_hour
    listed = api.get("/units").json()["items"]
    assert [u["booked_by_the_hour"] for u in listed] == [True]
    assert "booked_by_the_hour" in fields_of(
        api.post("/units", {"name": "Salle Ravel", "booked_by_the_hour": "sometimes"})
    )


def test_listing_units_shows_every_unit_of_my_organizations(api: ApiClient) -> None:
    for name in ("Studio", "Chambre bleue"):
        assert api.post("/units", {"name": name, "timezone": "Europe/Paris"}).status_code == 201
    body = api.get("/units").json()
    assert sorted(u["name"] for u in body["items"]) == ["Chambre bleue", "Studio"]
    assert body["next"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Studio", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "Studio", "timezone": "Europe/Paris", "check_in": "25:00"}, "check_in"),
        ({"name": "Studio", "timezone": "Europe/Paris", "check_out": "10:00+02:00"}, "check_out"),
        ({"name": "", "timezone": "Europe/Paris"}, "name"),
        ({"timezone": "Europe/Paris"}, "name"),
        ({"name": ["Studio"], "timezone": "Europe/Paris"}, "name"),
        ({"name": "Studio", "timezone": "Europe/Paris", "organization": "nope"}, "organization"),
    ],
)
def test_a_unit_with_bad_input_is_refused_naming_the_field(
    api: ApiClient, payload: dict[str, Any], field: str
) -> None:
    assert field in fields_of(api.post("/units", payload))
    assert not Unit.objects.exists()


def test_a_body_that_is_not_json_is_refused_naming_the_body(api: ApiClient) -> None:
    assert fields_of(api.post("/units", raw='{"name": "Studio",')) == ["body"]


def test_a_unit_goes_to_the_organization_named_when_i_belong_to_several(
    api: ApiClient, organization: Organization
) -> None:
    manager = add_member(organization, "manager@example.test", Role.MANAGER)
    mine = manager.post("/units", {"name": "Own flat", "timezone": "Europe/Paris"}).json()
    assert Unit.objects.get(name="Own flat").organization != organization
    shared = api.post("/units", {"name": "Shared", "timezone": "Europe/Paris"}).json()
    response = manager.post(
        "/units",
        {"name": "Annexe", "timezone": "Europe/Paris", "organization": shared["organization"]},
    )
    assert response.status_code == 201
    assert response.json()["organization"] == shared["organization"] != mine["organization"]
    assert Unit.objects.get(name="Annexe").organization == organization


def test_platforms_list_every_preset_with_its_names_and_directions(api: ApiClient) -> None:
    body = api.get("/platforms", limit=200).json()
    by_id = {p["id"]: p for p in body["items"]}
    assert body["next"] is None
    assert by_id["airbnb"] == {
        "id": "airbnb",
        "name_fr": "Airbnb",
        "name_en": "Airbnb",
        "directions": ["import", "export", "both"],
    }
    assert by_id["outlook"]["directions"] == ["import"]
    assert body["items"][-1]["id"] == "other"


def test_the_openapi_schema_and_docs_are_served(api: ApiClient) -> None:
    schema = api.client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/units/{unit}/bookings" in paths
    assert "/api/v1/channels/{channel}/confirm" in paths
    assert api.client.get("/api/v1/docs").status_code == 200


def test_a_viewer_cannot_create_a_unit_in_an_organization_they_only_see(
    api: ApiClient, organization: Organization
) -> None:
    shared = api.post("/units", {"name": "Shared", "timezone": "Europe/Paris"}).json()
    viewer = add_member(organization, "viewer@example.test", Role.VIEWER)
    response = viewer.post(
        "/units",
        {"name": "Annexe", "timezone": "Europe/Paris", "organization": shared["organization"]},
    )
    problem(response, 403)
    assert not Unit.objects.filter(name="Annexe").exists()
