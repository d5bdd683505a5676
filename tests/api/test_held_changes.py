"""A held mass removal through the API: see what it would remove, or keep the bookings."""

from __future__ import annotations

from typing import Any

import pytest

from icalbridge.hub.models import Organization, Role
from tests.api.conftest import ApiClient, add_member, problem
from tests.support.feed_server import FeedServer
from tests.support.hub import Stay, airbnb_feed, days_from_today

# Imports close and reopen the connection (claims), which a test transaction cannot survive.
pytestmark = pytest.mark.django_db(transaction=True)

STAYS = [
    Stay("s1@airbnb.test", days_from_today(10), days_from_today(12)),
    Stay("s2@airbnb.test", days_from_today(14), days_from_today(16)),
    Stay("s3@airbnb.test", days_from_today(20), days_from_today(21)),
]


@pytest.fixture
def held_channel(
    api: ApiClient, unit: dict[str, Any], feed_server: FeedServer, settings: Any
) -> dict[str, Any]:
    """An Airbnb channel whose feed lost two of its three stays: the removal is held."""
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    feed_server.serve("/a.ics", airbnb_feed(STAYS))
    channel = api.post(
        f"/units/{unit['id']}/channels",
        {"name": "Airbnb", "platform": "airbnb", "import_url": feed_server.url("/a.ics")},
    ).json()
    assert api.post(f"/channels/{channel['id']}/import").json()["added"] == 3
    feed_server.serve("/a.ics", airbnb_feed(STAYS[2:]))
    assert api.post(f"/channels/{channel['id']}/import").json()["outcome"] == "held"
    return channel


def test_the_held_change_lists_the_bookings_it_would_remove(
    api: ApiClient, held_channel: dict[str, Any]
) -> None:
    response = api.get(f"/channels/{held_channel['id']}/held")
    assert response.status_code == 200
    body = response.json()
    assert sorted(b["start"] for b in body["would_cancel"]) == [
        str(STAYS[0].start),
        str(STAYS[1].start),
    ]
    bookings = api.get(f"/units/{held_channel['unit']}/bookings").json()["items"]
    assert {b["id"] for b in body["would_cancel"]} <= {b["id"] for b in bookings}
    assert body["message"]


def test_keep_discards_the_held_change_and_keeps_every_booking(
    api: ApiClient, held_channel: dict[str, Any]
) -> None:
    assert api.post(f"/channels/{held_channel['id']}/keep").status_code == 204
    assert problem(api.get(f"/channels/{held_channel['id']}/held"), 404)
    assert api.get(f"/channels/{held_channel['id']}").json()["held"] is None
    bookings = api.get(f"/units/{held_channel['unit']}/bookings").json()["items"]
    assert len(bookings) == 3
    assert problem(api.post(f"/channels/{held_channel['id']}/keep"), 409)


def test_a_viewer_sees_the_held_change_but_cannot_keep_it(
    api: ApiClient, held_channel: dict[str, Any]
) -> None:
    organization = Organization.objects.get(memberships__user__username="host@example.test")
    viewer = add_member(organization, "viewer@example.test", Role.VIEWER)
    assert viewer.get(f"/channels/{held_channel['id']}/held").status_code == 200
    assert problem(viewer.post(f"/channels/{held_channel['id']}/keep"), 403)


def test_nothing_held_is_not_found(api: ApiClient, unit: dict[str, Any]) -> None:
    channel = api.post(
        f"/units/{unit['id']}/channels",
        {"name": "Booking.com", "platform": "booking", "direction": "export"},
    ).json()
    assert problem(api.get(f"/channels/{channel['id']}/held"), 404)["type"].endswith("nothing-held")
