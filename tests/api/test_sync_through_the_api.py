"""The whole loop through the API: a real feed server, imports, and our served exports."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from icalbridge.feeds.fetch_records import fetch_recorder
from tests.api.conftest import ApiClient
from tests.support.feed_server import FeedServer

pytestmark = pytest.mark.django_db(transaction=True)

FEED_PATH = "/calendar/ical/4242.ics"
START = date.today() + timedelta(days=14)


def day(offset: int) -> date:
    return START + timedelta(days=offset)


def airbnb_feed(stays: Sequence[tuple[str, date, date]]) -> bytes:
    """Write a feed the way Airbnb does: all-day reservations with a reservation link."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN",
        "CALSCALE:GREGORIAN",
        "VERSION:2.0",
    ]
    for uid, start, end in stays:
        lines += [
            "BEGIN:VEVENT",
            f"DTEND;VALUE=DATE:{end:%Y%m%d}",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"UID:{uid}@airbnb.com",
            "DESCRIPTION:Reservation URL: https://www.airbnb.test/hosting/reservations/"
            f"details/{uid.upper()}\\nPhone Number (Last 4 Digits): 1234",
            "SUMMARY:Reserved",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def nights_served(url: str) -> set[tuple[date, date]]:
    """GET an export feed as a platform would; return its all-day spans."""
    response = Client().get("/" + url.split("://", 1)[1].split("/", 1)[1])
    fetch_recorder.flush()  # recorded, as the hub's writer does within a second
    assert response.status_code == 200
    text = response.content.decode()
    starts = re.findall(r"DTSTART;VALUE=DATE:(\d{8})", text)
    ends = re.findall(r"DTEND;VALUE=DATE:(\d{8})", text)
    assert len(starts) == len(ends) == text.count("BEGIN:VEVENT")
    return {(_date(s), _date(e)) for s, e in zip(starts, ends, strict=True)}


def _date(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


@pytest.fixture
def rental(
    api: ApiClient, unit: dict[str, Any], feed_server: FeedServer, settings: Any
) -> dict[str, Any]:
    """A unit with channel A (Airbnb, both ways) and B (Booking.com, export), A's feed served."""
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    feed_server.serve(FEED_PATH, airbnb_feed([]))
    a = api.post(
        f"/units/{unit['id']}/channels",
        {
            "name": "Airbnb",
            "platform": "airbnb",
            "direction": "both",
            "import_url": feed_server.url(FEED_PATH),
        },
    ).json()
    b = api.post(
        f"/units/{unit['id']}/channels",
        {"name": "Booking.com", "platform": "booking", "direction": "export"},
    ).json()
    return {"unit": unit, "a": a, "b": b, "server": feed_server}


def import_a(
    api: ApiClient, rental: dict[str, Any], stays: Sequence[tuple[str, date, date]]
) -> Any:
    rental["server"].serve(FEED_PATH, airbnb_feed(stays))
    response = api.post(f"/channels/{rental['a']['id']}/import")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_stay_imported_from_a_reaches_b_and_never_goes_back_to_a(
    api: ApiClient, rental: dict[str, Any]
) -> None:
    run = import_a(api, rental, [("stay1", day(0), day(3))])
    assert {k: run[k] for k in ("outcome", "added", "moved", "cancelled", "held")} == {
        "outcome": "applied",
        "added": 1,
        "moved": 0,
        "cancelled": 0,
        "held": 0,
    }
    assert run["http_status"] == 200 and run["problems"] == [] and run["started_at"]
    assert nights_served(rental["b"]["export_url"]) == {(day(0), day(3))}
    assert nights_served(rental["a"]["export_url"]) == set()
    [booking] = api.get(f"/units/{rental['unit']['id']}/bookings").json()["items"]
    assert (booking["origin"], booking["kind"], booking["start"], booking["end"]) == (
        rental["a"]["id"],
        "reserved",
        day(0).isoformat(),
        day(3).isoformat(),
    )
    status = api.get(f"/channels/{rental['a']['id']}").json()["status"]
    assert status["state"] == "ok" and status["last_import_at"] is not None
    runs = api.get(f"/channels/{rental['a']['id']}/runs").json()["items"]
    assert [r["id"] for r in runs] == [run["id"]]


def test_b_records_that_the_platform_fetched_its_export(
    api: ApiClient, rental: dict[str, Any]
) -> None:
    url = rental["b"]["export_url"]
    Client().get("/" + url.split("://", 1)[1].split("/", 1)[1], HTTP_USER_AGENT="Booking.com")
    fetch_recorder.flush()
    status = api.get(f"/channels/{rental['b']['id']}").json()["status"]
    assert status["state"] == "ok"
    assert status["last_export_fetch_at"] is not None and status["last_export_fetch_by"]


def test_a_local_block_scoped_to_b_shows_on_b_only(api: ApiClient, rental: dict[str, Any]) -> None:
    c = api.post(
        f"/units/{rental['unit']['id']}/channels",
        {"name": "Site", "platform": "other", "direction": "export"},
    ).json()
    response = api.post(
        f"/units/{rental['unit']['id']}/bookings",
        {
            "start": day(5).isoformat(),
            "end": day(7).isoformat(),
            "kind": "unavailable",
            "summary": "Travaux",
            "channels": [rental["b"]["id"]],
        },
    )
    assert response.status_code == 201
    assert nights_served(rental["b"]["export_url"]) == {(day(5), day(7))}
    assert nights_served(rental["a"]["export_url"]) == set()
    assert nights_served(c["export_url"]) == set()


def test_a_stay_cancelled_at_the_source_frees_b_after_the_next_import(
    api: ApiClient, rental: dict[str, Any]
) -> None:
    import_a(api, rental, [("stay1", day(0), day(3)), ("stay2", day(10), day(12))])
    assert nights_served(rental["b"]["export_url"]) == {(day(0), day(3)), (day(10), day(12))}
    run = import_a(api, rental, [("stay2", day(10), day(12))])
    assert (run["outcome"], run["cancelled"]) == ("applied", 1)
    assert nights_served(rental["b"]["export_url"]) == {(day(10), day(12))}
    listed = api.get(f"/units/{rental['unit']['id']}/bookings").json()["items"]
    assert [(b["start"], b["end"]) for b in listed] == [(day(10).isoformat(), day(12).isoformat())]


def test_a_moved_stay_keeps_its_id_with_new_dates(api: ApiClient, rental: dict[str, Any]) -> None:
    import_a(api, rental, [("stay1", day(0), day(3))])
    url = f"/units/{rental['unit']['id']}/bookings"
    [before] = api.get(url).json()["items"]
    run = import_a(api, rental, [("stay1", day(1), day(5))])
    assert (run["outcome"], run["moved"], run["added"], run["cancelled"]) == ("applied", 1, 0, 0)
    [after] = api.get(url).json()["items"]
    assert after["id"] == before["id"]
    assert (after["start"], after["end"]) == (day(1).isoformat(), day(5).isoformat())
    assert nights_served(rental["b"]["export_url"]) == {(day(1), day(5))}


def test_a_mass_removal_is_held_then_applied_by_confirm(
    api: ApiClient, rental: dict[str, Any]
) -> None:
    stays = [("s1", day(0), day(2)), ("s2", day(4), day(6)), ("s3", day(8), day(9))]
    import_a(api, rental, stays)
    all_three = {(s, e) for _, s, e in stays}
    run = import_a(api, rental, stays[2:])
    assert (run["outcome"], run["held"], run["cancelled"]) == ("held", 2, 0)
    assert nights_served(rental["b"]["export_url"]) == all_three
    channel = api.get(f"/channels/{rental['a']['id']}").json()
    assert channel["status"]["state"] == "warning"
    assert channel["held"]["would_cancel"] == 2
    confirmed = api.post(f"/channels/{rental['a']['id']}/confirm")
    assert confirmed.status_code == 200
    assert (confirmed.json()["outcome"], confirmed.json()["cancelled"]) == ("applied", 2)
    assert nights_served(rental["b"]["export_url"]) == {(day(8), day(9))}
    assert api.get(f"/channels/{rental['a']['id']}").json()["held"] is None
    assert api.post(f"/channels/{rental['a']['id']}/confirm").status_code == 409


def test_a_failing_feed_is_reported_by_the_run_and_the_status(
    api: ApiClient, rental: dict[str, Any]
) -> None:
    import_a(api, rental, [("stay1", day(0), day(3))])
    rental["server"].fault(FEED_PATH, "html")
    run = api.post(f"/channels/{rental['a']['id']}/import").json()
    assert run["outcome"] == "failed" and run["message"]
    assert nights_served(rental["b"]["export_url"]) == {(day(0), day(3))}
    status = api.get(f"/channels/{rental['a']['id']}").json()["status"]
    assert status["state"] == "warning" and status["consecutive_failures"] == 1
