from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from icalbridge.hub.models import Booking, Channel, Unit
from tests.api.conftest import ApiClient, fields_of

SOON = date.today() + timedelta(days=40)


def imported_stay(unit: Unit, start: date, nights: int) -> Booking:
    """Store a reservation as an Airbnb import would have."""
    channel = Channel.objects.create(
        unit=unit, name="Airbnb", platform="airbnb", import_url="https://a.test/a.ics"
    )
    booking = Booking(
        unit=unit, kind="reserved", origin=channel, remote_uid="r1@airbnb.com", summary="Reserved"
    )
    booking.start_date, booking.end_date = start, start + timedelta(days=nights)
    booking.save()
    return booking


def test_a_local_reservation_over_an_imported_one_is_listed_as_a_conflict(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    stay = imported_stay(Unit.objects.get(), SOON, 4)
    local = api.post(
        f"/units/{unit['id']}/bookings",
        {
            "start": (SOON + timedelta(days=2)).isoformat(),
            "end": (SOON + timedelta(days=6)).isoformat(),
            "kind": "reserved",
        },
    ).json()
    body = api.get(f"/units/{unit['id']}/conflicts").json()
    assert body["next"] is None
    [conflict] = body["items"]
    assert conflict["state"] == "open"
    assert conflict["id"]
    assert (conflict["start"], conflict["end"]) == (
        (SOON + timedelta(days=2)).isoformat(),
        (SOON + timedelta(days=4)).isoformat(),
    )
    assert {b["id"] for b in conflict["bookings"]} == {str(stay.public_id), local["id"]}
    origins = {b["origin"] for b in conflict["bookings"]}
    assert origins == {"local", str(stay.origin.public_id)}


def test_a_conflict_ends_resolved_when_a_booking_is_cancelled(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    imported_stay(Unit.objects.get(), SOON, 3)
    local = api.post(
        f"/units/{unit['id']}/bookings",
        {
            "start": SOON.isoformat(),
            "end": (SOON + timedelta(days=1)).isoformat(),
            "kind": "reserved",
        },
    ).json()
    url = f"/units/{unit['id']}/conflicts"
    opened = api.get(url).json()["items"][0]
    assert api.delete(f"/bookings/{local['id']}").status_code == 204
    assert api.get(url).json()["items"] == []
    resolved = api.get(url, state="resolved").json()["items"]
    assert [c["id"] for c in resolved] == [opened["id"]]
    assert resolved[0]["state"] == "resolved"
    assert [c["id"] for c in api.get(url, state="all").json()["items"]] == [opened["id"]]


def test_an_unknown_conflict_state_is_refused_naming_it(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    assert fields_of(api.get(f"/units/{unit['id']}/conflicts", state="closed")) == ["state"]
