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


def lesson_at(api: ApiClient, unit: dict[str, Any], hour: int) -> dict[str, Any]:
    response = api.post(
        f"/units/{unit['id']}/bookings",
        {
            "start": f"{day(0)}T{hour:02d}:00:00+01:00",
            "end": f"{day(0)}T{hour + 1:02d}:00:00+01:00",
            "kind": "reserved",
            "summary": "Élève",
            "category": "piano",
        },
    )
    assert response.status_code == 201
    return response.json()


def test_a_lesson_is_moved_and_keeps_what_it_says_with_the_move_in_its_history(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    lesson = lesson_at(api, unit, 9)
    moved = {"start": f"{day(1)}T16:00:00+00:00", "end": f"{day(1)}T17:30:00+00:00"}

    answer = api.patch(f"/bookings/{lesson['id']}", moved)

    assert answer.status_code == 200, answer.content
    body = answer.json()
    expected = datetime.combine(SOON + timedelta(days=1), time(16), tzinfo=UTC)
    assert datetime.fromisoformat(body["start"]) == expected
    assert datetime.fromisoformat(body["end"]) == expected + timedelta(minutes=90)
    assert (body["summary"], body["category"], body["kind"]) == ("Élève", "piano", "reserved")
    assert api.get(f"/bookings/{lesson['id']}").json()["start"] == body["start"]
    booking = Booking.objects.get()
    assert booking.sequence == 1
    assert booking.moves.count() == 1


def test_a_patch_changes_only_the_fields_it_gives(api: ApiClient, unit: dict[str, Any]) -> None:
    b = make_channel(api, unit, "B")
    lesson = lesson_at(api, unit, 9)

    body = api.patch(
        f"/bookings/{lesson['id']}", {"category": "violon", "channels": [b["id"]]}
    ).json()
    assert (body["start"], body["end"]) == (lesson["start"], lesson["end"])
    assert (body["category"], body["summary"], body["channels"]) == ("violon", "Élève", [b["id"]])

    body = api.patch(f"/bookings/{lesson['id']}", {"channels": None}).json()
    assert body["channels"] is None and body["category"] == "violon"
    assert not Booking.objects.get().moves.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"start": f"{day(1)}T10:00:00+01:00"}, "end"),
        ({"end": f"{day(1)}T10:00:00+01:00"}, "start"),
        ({"start": f"{day(1)}T10:00:00+01:00", "end": f"{day(1)}T09:00:00+01:00"}, "end"),
        ({"start": f"{day(1)}T10:00:00", "end": f"{day(1)}T11:00:00"}, "start"),
        ({"start": day(1), "end": f"{day(1)}T11:00:00+01:00"}, "end"),
        ({"start": "tomorrow", "end": f"{day(1)}T11:00:00+01:00"}, "start"),
        ({"start": day(1), "end": day(3000)}, "end"),
        ({"kind": "booked"}, "kind"),
        ({"summary": "x" * 301}, "summary"),
        ({"channels": ["x"]}, "channels"),
    ],
)
def test_a_move_with_bad_input_is_refused_naming_the_field_and_changes_nothing(
    api: ApiClient, unit: dict[str, Any], payload: dict[str, Any], field: str
) -> None:
    lesson = lesson_at(api, unit, 9)
    assert field in fields_of(api.patch(f"/bookings/{lesson['id']}", payload))
    assert api.get(f"/bookings/{lesson['id']}").json() == lesson | {"delivery": []}
    assert Booking.objects.get().sequence == 0


def test_a_refused_move_is_told_in_the_request_s_language(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    lesson = lesson_at(api, unit, 9)
    alone = {"start": f"{day(1)}T10:00:00+01:00"}
    backwards = {"start": f"{day(1)}T10:00:00+01:00", "end": f"{day(1)}T09:00:00+01:00"}

    french = problem(api.patch(f"/bookings/{lesson['id']}", alone, {"Accept-Language": "fr"}), 400)
    english = problem(api.patch(f"/bookings/{lesson['id']}", alone, {"Accept-Language": "en"}), 400)
    assert french["errors"] == [{"field": "end", "message": french["detail"]}]
    assert "Give the end with the start" in english["detail"]
    assert "fin" in french["detail"] and french["detail"] != english["detail"]
    refused = problem(
        api.patch(f"/bookings/{lesson['id']}", backwards, {"Accept-Language": "fr"}), 400
    )
    assert "doit finir après" in refused["detail"]


def test_imported_cancelled_and_other_people_s_bookings_are_not_moved(
    api: ApiClient, other_api: ApiClient, unit: dict[str, Any]
) -> None:
    moved = {"start": f"{day(1)}T10:00:00+01:00", "end": f"{day(1)}T11:00:00+01:00"}
    lesson = lesson_at(api, unit, 9)
    assert problem(other_api.patch(f"/bookings/{lesson['id']}", moved), 404)

    channel = Channel.objects.create(
        unit=Unit.objects.get(), name="Airbnb", platform="airbnb", import_url="https://a.test/"
    )
    imported = Booking(unit=channel.unit, kind="reserved", origin=channel, remote_uid="x@airbnb")
    imported.start_date, imported.end_date = SOON, SOON + timedelta(days=2)
    imported.save()
    body = problem(
        api.patch(f"/bookings/{imported.public_id}", {"start": day(3), "end": day(4)}), 409
    )
    assert body["type"].endswith("/imported-booking") and "Airbnb" in body["detail"]

    assert api.delete(f"/bookings/{lesson['id']}").status_code == 204
    body = problem(api.patch(f"/bookings/{lesson['id']}", moved), 409)
    assert body["type"].endswith("/cancelled-booking")
    assert Booking.objects.get(public_id=lesson["id"]).moves.count() == 0
