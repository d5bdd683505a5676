from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from icalbridge.hub.models import Booking, Channel, Unit
from tests.api.conftest import ApiClient, fields_of, problem

SOON = date.today() + timedelta(days=30)


def day(offset: int) -> str:
    return (SOON + timedelta(days=offset)).isoformat()


def make_channel(api: ApiClient, unit: dict[str, Any], name: str) -> dict[str, Any]:
    response = api.post(
        f"/units/{unit['id']}/channels", {"name": name, "platform": "other", "direction": "export"}
    )
    assert response.status_code == 201
    return response.json()


def test_an_all_day_booking_is_created_with_its_nights(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    response = api.post(
        f"/units/{unit['id']}/bookings",
        {
            "start": day(0),
            "end": day(3),
            "kind": "reserved",
            "summary": "Famille Martin",
            "category": "séjour",
            "note": "arrive late",
            "channels": None,
        },
    )
    assert response.status_code == 201
    body = response.json()
    booking = Booking.objects.get()
    assert {k: v for k, v in body.items() if k not in ("created_at", "updated_at")} == {
        "id": str(booking.public_id),
        "unit": unit["id"],
        "origin": "local",
        "kind": "reserved",
        "start": day(0),
        "end": day(3),
        "all_day": True,
        "summary": "Famille Martin",
        "category": "séjour",
        "note": "arrive late",
        "is_echo": False,
        "is_horizon": False,
        "channels": None,
        "delivery": [],
    }
    assert (booking.start_date, booking.end_date) == (SOON, SOON + timedelta(days=3))


def test_a_timed_booking_keeps_its_instant_and_reads_back_in_the_unit_zone(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    body = api.post(
        f"/units/{unit['id']}/bookings",
        {
            "start": f"{day(0)}T14:00:00+00:00",
            "end": f"{day(0)}T16:30:00+00:00",
            "kind": "tentative",
            "summary": "Cours de poterie",
        },
    ).json()
    assert body["all_day"] is False
    start, end = datetime.fromisoformat(body["start"]), datetime.fromisoformat(body["end"])
    expected = datetime.combine(SOON, time(14, 0), tzinfo=UTC)
    assert start == expected and end == expected + timedelta(hours=2, minutes=30)
    assert start.utcoffset() == ZoneInfo("Europe/Paris").utcoffset(expected.replace(tzinfo=None))
    assert Booking.objects.get().start_at == expected


def test_a_booking_scoped_to_some_channels_lists_them(api: ApiClient, unit: dict[str, Any]) -> None:
    b = make_channel(api, unit, "B")
    make_channel(api, unit, "C")
    body = api.post(
        f"/units/{unit['id']}/bookings",
        {"start": day(0), "end": day(2), "kind": "unavailable", "channels": [b["id"]]},
    ).json()
    assert body["channels"] == [b["id"]]


def test_listing_bookings_shows_the_active_ones_overlapping_the_range(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    url = f"/units/{unit['id']}/bookings"
    first = api.post(url, {"start": day(0), "end": day(3), "kind": "reserved"}).json()
    later = api.post(url, {"start": day(10), "end": day(12), "kind": "reserved"}).json()
    gone = api.post(url, {"start": day(5), "end": day(6), "kind": "reserved"}).json()
    assert api.delete(f"/bookings/{gone['id']}").status_code == 204
    assert [b["id"] for b in api.get(url).json()["items"]] == [first["id"], later["id"]]
    in_range = api.get(url, from_=day(2), to=day(10)).json()["items"]
    assert [b["id"] for b in in_range] == [first["id"]]
    assert [b["id"] for b in api.get(url, from_=day(3)).json()["items"]] == [later["id"]]


def test_cancelling_a_local_booking_frees_it(api: ApiClient, unit: dict[str, Any]) -> None:
    created = api.post(
        f"/units/{unit['id']}/bookings", {"start": day(0), "end": day(1), "kind": "reserved"}
    ).json()
    response = api.delete(f"/bookings/{created['id']}")
    assert response.status_code == 204
    assert Booking.objects.get().cancelled_at is not None
    assert api.get(f"/units/{unit['id']}/bookings").json()["items"] == []


def test_cancelling_an_imported_booking_is_refused_with_where_to_change_it(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    channel = Channel.objects.create(
        unit=Unit.objects.get(), name="Airbnb", platform="airbnb", import_url="https://a.test/"
    )
    imported = Booking(unit=channel.unit, kind="reserved", origin=channel, remote_uid="x@airbnb")
    imported.start_date, imported.end_date = SOON, SOON + timedelta(days=2)
    imported.save()
    body = problem(api.delete(f"/bookings/{imported.public_id}"), 409)
    assert "Airbnb" in body["detail"]
    assert Booking.objects.get().cancelled_at is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"start": "2026-13-01", "end": day(1), "kind": "reserved"}, "start"),
        ({"start": "next friday", "end": day(1), "kind": "reserved"}, "start"),
        ({"start": day(3), "end": day(1), "kind": "reserved"}, "end"),
        ({"start": day(1), "end": day(1), "kind": "reserved"}, "end"),
        ({"start": day(1), "end": f"{day(2)}T10:00:00+02:00", "kind": "reserved"}, "end"),
        ({"start": f"{day(1)}T10:00:00", "end": f"{day(1)}T12:00:00", "kind": "reserved"}, "start"),
        ({"start": day(1), "end": day(2), "kind": "booked"}, "kind"),
        ({"start": day(1), "end": day(2)}, "kind"),
        ({"start": 20260701, "end": day(2), "kind": "reserved"}, "start"),
        ({"start": day(1), "end": day(2), "kind": "reserved", "channels": ["x"]}, "channels"),
        ({"start": day(1), "end": day(2), "kind": "reserved", "channels": "all"}, "channels"),
        ({"start": day(1), "end": day(2), "kind": "reserved", "channels": [7]}, "channels.0"),
        ({"start": "0001-01-01", "end": "9999-12-31", "kind": "unavailable"}, "start"),
        ({"start": day(1), "end": "2400-01-01", "kind": "unavailable"}, "end"),
        ({"start": day(1), "end": day(3000), "kind": "unavailable"}, "end"),
        (
            {
                "start": "9999-12-31T10:00:00+02:00",
                "end": "9999-12-31T23:00:00-14:00",
                "kind": "reserved",
            },
            "start",
        ),
        ({"start": day(1), "end": day(2), "kind": "reserved", "summary": "x" * 301}, "summary"),
    ],
)
def test_a_booking_with_bad_input_is_refused_naming_the_field(
    api: ApiClient, unit: dict[str, Any], payload: dict[str, Any], field: str
) -> None:
    assert field in fields_of(api.post(f"/units/{unit['id']}/bookings", payload))
    assert not Booking.objects.exists()


def test_a_booking_scoped_to_another_units_channel_is_refused(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    other = api.post("/units", {"name": "Studio", "timezone": "Europe/Paris"}).json()
    foreign = make_channel(api, other, "B")
    payload = {"start": day(1), "end": day(2), "kind": "reserved", "channels": [foreign["id"]]}
    assert fields_of(api.post(f"/units/{unit['id']}/bookings", payload)) == ["channels"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from_": "someday"}, "from"),
        ({"from_": "0001-01-01"}, "from"),
        ({"from_": day(5), "to": day(1)}, "to"),
    ],
)
def test_a_bad_range_is_refused_naming_the_field(
    api: ApiClient, unit: dict[str, Any], query: dict[str, str], field: str
) -> None:
    assert field in fields_of(api.get(f"/units/{unit['id']}/bookings", **query))
