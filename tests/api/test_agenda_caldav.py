"""PUT, GET and DELETE /agenda-feeds/{id}/caldav against a real Radicale on loopback."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import pytest

from icalbridge.hub.models import CaldavPush
from tests.api.conftest import ApiClient, fields_of, problem
from tests.support.oauth_server import CLIENT_ID, CLIENT_SECRET, OAuthCalendarServer
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
    assert fields_of(api.put(f"/agenda-feeds/{feed}/caldav", {**good, "username": ""})) == [
        "username"
    ]
    oauth = {"client_id": "c", "client_secret": "s", "refresh_token": "r"}
    google = {"url": "https://apidata.googleusercontent.com/caldav/v2/me/events/", "oauth": oauth}
    assert fields_of(api.put(f"/agenda-feeds/{feed}/caldav", {**google, "password": "x"})) == [
        "password"
    ]
    for missing in oauth:
        partial = {k: v for k, v in oauth.items() if k != missing}
        answer = api.put(f"/agenda-feeds/{feed}/caldav", {**google, "oauth": partial})
        assert fields_of(answer) == [f"oauth.{missing}"]
    bad_endpoint = {**google, "oauth": {**oauth, "token_url": "ftp://token.example.test/"}}
    refused = api.put(f"/agenda-feeds/{feed}/caldav", bad_endpoint, {"Accept-Language": "fr"})
    assert fields_of(refused) == ["oauth.token_url"]
    assert "commence par https://" in problem(refused, 400)["detail"]
    assert not CaldavPush.objects.exists()
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


@pytest.mark.usefixtures("allow_local_feeds")
def test_a_push_with_oauth_credentials_works_and_no_secret_shows_in_answers_or_logs(
    api: ApiClient,
    unit: dict[str, Any],
    radicale: Radicale,
    oauth_calendars: OAuthCalendarServer,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings.ICALBRIDGE_GOOGLE_TOKEN_URL = oauth_calendars.token_url  # the default endpoint
    feed = agenda_with_lesson(api, unit)
    calendar = radicale.new_calendar()
    refresh_token = oauth_calendars.grant()
    oauth = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": refresh_token}
    body = {"url": oauth_calendars.calendar_url(calendar), "oauth": oauth}

    answer = api.put(f"/agenda-feeds/{feed}/caldav", body)

    assert answer.status_code == 200, answer.content
    assert set(answer.json()) == KEYS and answer.json()["state"] == "ok"
    assert len(radicale.events(calendar)) == 1
    assert oauth_calendars.state.refreshes == 1

    oauth_calendars.revoke(refresh_token)
    later = {
        "kind": "reserved",
        "start": "2027-02-02T09:00:00+01:00",
        "end": "2027-02-02T10:00:00+01:00",
    }
    assert api.post(f"/units/{unit['id']}/bookings", later).status_code == 201
    read = api.get(f"/agenda-feeds/{feed}/caldav", headers={"Accept-Language": "en"})
    assert read.json()["state"] == "error"
    assert read.json()["message"].startswith("127.0.0.1 refused the authorization")
    assert len(radicale.events(calendar)) == 1

    access_tokens = {h.removeprefix("Bearer ") for h in oauth_calendars.state.authorization_headers}
    secrets = {CLIENT_SECRET, refresh_token, *access_tokens}
    stored = CaldavPush.objects.get().credentials
    for text in (answer.content.decode(), read.content.decode(), caplog.text, stored):
        assert not [s for s in secrets if s in text]
    assert "token endpoint 127.0.0.1 answered 400 invalid_grant" in caplog.text
