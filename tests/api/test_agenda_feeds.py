"""Personal agenda feeds through the API: made with filters, listed with their link, revoked."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from icalbridge.hub.models import Organization, Role, UserPreference
from tests.api.conftest import ApiClient, add_member, fields_of, problem


def day(offset: int) -> date:
    """Return a day ahead: a booking entered in the past is refused (docs/domain.md)."""
    return date.today() + timedelta(days=offset)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def add_stay(
    api: ApiClient, unit: dict[str, Any], start: str, end: str, summary: str, **extra: Any
) -> None:
    body = {"kind": "reserved", "start": start, "end": end, "summary": summary, **extra}
    response = api.post(f"/units/{unit['id']}/bookings", body)
    assert response.status_code == 201, response.content


def test_a_feed_serves_the_chosen_units_bookings_at_its_url(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    add_stay(api, unit, day(13).isoformat(), day(20).isoformat(), "Famille Martin")
    response = api.post("/agenda-feeds", {"name": "My agenda", "units": [unit["id"]]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["units"] == [unit["id"]] and body["kinds"] == [] and body["categories"] == []
    assert body["webcal_url"].startswith("webcal://")
    served = Client().get(path_of(body["url"]))
    assert served.status_code == 200
    assert day(13).strftime("%Y%m%d") in served.content.decode()
    assert [f["id"] for f in api.get("/agenda-feeds").json()["items"]] == [body["id"]]


def test_a_feed_keeps_only_the_chosen_kinds_and_categories(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    add_stay(api, unit, day(10).isoformat(), day(12).isoformat(), "Ménage", category="cleaning")
    add_stay(api, unit, day(14).isoformat(), day(17).isoformat(), "Famille Petit")
    body = api.post(
        "/agenda-feeds", {"name": "Cleaning", "kinds": ["reserved"], "categories": [" cleaning "]}
    ).json()
    assert body["categories"] == ["cleaning"]
    text = Client().get(path_of(body["url"])).content.decode()
    assert text.count("BEGIN:VEVENT") == 1
    assert day(10).strftime("%Y%m%d") in text and day(14).strftime("%Y%m%d") not in text


def test_a_revoked_feed_link_answers_404_and_leaves_the_list(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    body = api.post("/agenda-feeds", {"name": "Mine"}).json()
    assert api.delete(f"/agenda-feeds/{body['id']}").status_code == 204
    assert Client().get(path_of(body["url"])).status_code == 404
    assert api.get("/agenda-feeds").json()["items"] == []
    assert problem(api.delete(f"/agenda-feeds/{body['id']}"), 404)


def test_bad_input_names_the_field(api: ApiClient, unit: dict[str, Any]) -> None:
    assert fields_of(api.post("/agenda-feeds", {"name": " "})) == ["name"]
    assert fields_of(api.post("/agenda-feeds", {"name": "x", "kinds": ["party"]})) == ["kinds.0"]
    assert fields_of(api.post("/agenda-feeds", {"name": "x", "units": [unit["id"], "nope"]})) == [
        "units.1"
    ]
    assert fields_of(api.post("/agenda-feeds", {"name": "x", "organization": "nope"})) == [
        "organization"
    ]


def test_another_organizations_unit_is_refused(
    api: ApiClient, other_api: ApiClient, unit: dict[str, Any]
) -> None:
    assert fields_of(other_api.post("/agenda-feeds", {"name": "x", "units": [unit["id"]]})) == [
        "units.0"
    ]


def test_each_user_sees_and_revokes_only_their_own_feeds(
    api: ApiClient, organization: Organization, unit: dict[str, Any]
) -> None:
    viewer = add_member(organization, "viewer@example.test", Role.VIEWER)
    mine = api.post("/agenda-feeds", {"name": "Mine"}).json()
    theirs = viewer.post("/agenda-feeds", {"name": "Theirs", "units": [unit["id"]]})
    assert theirs.status_code == 201
    assert [f["name"] for f in viewer.get("/agenda-feeds").json()["items"]] == ["Theirs"]
    assert problem(viewer.delete(f"/agenda-feeds/{mine['id']}"), 404)


def test_removing_a_member_revokes_their_feeds(
    api: ApiClient, organization: Organization, unit: dict[str, Any]
) -> None:
    viewer = add_member(organization, "viewer@example.test", Role.VIEWER)
    feed = viewer.post("/agenda-feeds", {"name": "Theirs", "units": [unit["id"]]}).json()
    org = api.get("/organizations").json()["items"][0]["id"]
    members = api.get(f"/organizations/{org}/members").json()["items"]
    member = next(m for m in members if m["email"] == "viewer@example.test")
    assert api.delete(f"/organizations/{org}/members/{member['id']}").status_code == 204
    assert Client().get(path_of(feed["url"])).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "title"),
    [("fr", "Réservé · Gîte des Lilas"), ("en", "Reserved · Gîte des Lilas")],
)
def test_agenda_titles_are_in_the_language_of_the_feed_s_owner(
    api: ApiClient, unit: dict[str, Any], language: str, title: str
) -> None:
    user = get_user_model().objects.get(username="host@example.test")
    UserPreference.objects.create(user=user, language=language)
    start = date.today() + timedelta(days=10)
    booked = api.post(
        f"/units/{unit['id']}/bookings",
        {"start": str(start), "end": str(start + timedelta(days=2)), "kind": "reserved"},
    )
    assert booked.status_code == 201
    feed = api.post("/agenda-feeds", {"name": "Mine"}).json()
    body = Client().get(path_of(feed["url"])).content.decode()
    assert f"SUMMARY:{title}" in body
