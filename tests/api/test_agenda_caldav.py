"""PUT, GET and DELETE /agenda-feeds/{id}/caldav against a real Radicale on loopback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from icalbridge.hub.models import CaldavPush
from tests.api.conftest import ApiClient, fields_of, problem
from tests.support.radicale import PASSWORD, USER, Radicale

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("immediate_queue")]
KEYS = {"state", "message", "last_push_at", "calendar_url"}


def agenda_with_lesson(api: ApiClient, unit: dict[str, Any]) -> str:
    body = {
        "kind": "reserved",
        "start": "2027-02-01T09:00:00+01:00",
        "end": "2027-02-01T10:00:00+01:00",
    }
    assert api.post(f"/units/{unit['id']}/bookings", body).status_code == 201
    return str(api.post("/agenda-feeds", {"name": "Cours"}).json()["id"])


@pytest.mark.usefixtures("allow_local_feeds")
def test_a_push_is_set_read_and_stopped_and_its_password_never_shows(
    api: ApiClient, unit: dict[str, Any], radicale: Radicale
) -> None:
    feed = agenda_with_lesson(api, unit)
    calendar = radicale.new_calendar()
    answer = api.put(
        f"/agenda-feeds/{feed}/caldav", {"url": calendar, "username": USER, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.content
    assert set(answer.json()) == KEYS
    assert answer.json()["calendar_url"] == calendar
    assert len(radicale.events(calendar)) == 1

    read = api.get(f"/agenda-feeds/{feed}/caldav", headers={"Accept-Language": "en"})
    assert read.status_code == 200
    assert set(read.json()) == KEYS and read.json()["state"] == "ok"
    assert read.json()["last_push_at"] is not None
    assert "1 event" in read.json()["message"]
    assert PASSWORD not in read.content.decode() and PASSWORD not in answer.content.decode()
    stored = CaldavPush.objects.get()
    assert PASSWORD not in stored.credentials and USER not in stored.credentials

    assert api.delete(f"/agenda-feeds/{feed}/caldav").status_code == 204
    assert radicale.events(calendar) == {}
    assert problem(api.get(f"/agenda-feeds/{feed}/caldav"), 404)


def test_a_private_address_is_refused_in_plain_words_unless_allowed(
    api: ApiClient, unit: dict[str, Any], radicale: Radicale
) -> None:
    feed = agenda_with_lesson(api, unit)
    answer = api.put(
        f"/agenda-feeds/{feed}/caldav",
        {"url": radicale.new_calendar(), "username": USER, "password": PASSWORD},
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 200
    assert answer.json()["state"] == "error"
    assert "private network address" in answer.json()["message"]


def test_bad_input_names_the_field_and_another_persons_feed_is_not_found(
    api: ApiClient, other_api: ApiClient, unit: dict[str, Any]
) -> None:
    feed = agenda_with_lesson(api, unit)
    good = {"url": "https://cal.example.test/", "username": "me", "password": "x"}
    assert fields_of(api.put(f"/agenda-feeds/{feed}/caldav", {**good, "url": "ftp://x/"})) == [
        "url"
    ]
    assert fields_of(api.put(f"/agenda-feeds/{feed}/caldav", {**good, "password": ""})) == [
        "password"
    ]
    assert problem(other_api.put(f"/agenda-feeds/{feed}/caldav", good), 404)
    assert problem(other_api.get(f"/agenda-feeds/{feed}/caldav"), 404)


@pytest.mark.usefixtures("allow_local_feeds")
def test_a_lesson_moved_through_the_api_is_moved_in_the_pushed_calendar(
    api: ApiClient, unit: dict[str, Any], radicale: Radicale
) -> None:
    feed = str(api.post("/agenda-feeds", {"name": "Cours"}).json()["id"])
    calendar = radicale.new_calendar()
    body = {"url": calendar, "username": USER, "password": PASSWORD}
    assert api.put(f"/agenda-feeds/{feed}/caldav", body).json()["state"] == "ok"
    lesson = api.post(
        f"/units/{unit['id']}/bookings",
        {
            "kind": "reserved",
            "start": "2027-02-01T09:00:00+01:00",
            "end": "2027-02-01T10:00:00+01:00",
        },
    ).json()
    uid = f"{lesson['id']}@icalbridge"

    moved = {"start": "2027-02-03T17:00:00+01:00", "end": "2027-02-03T18:00:00+01:00"}
    assert api.patch(f"/bookings/{lesson['id']}", moved).status_code == 200

    event = radicale.events(calendar)[uid]
    assert event.decoded("DTSTART") == datetime.fromisoformat(moved["start"])
    assert event.decoded("DTEND") == datetime.fromisoformat(moved["end"])
    assert len(radicale.hrefs(calendar)) == 1
