"""`icalbridge inspect URL`: the feed doctor fetches real broken sources and explains them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from icalbridge import clock
from icalbridge.cli import main
from tests.support.feed_server import CALENDAR, FeedServer

GOOGLE_PATH = "/calendar/ical/x%40group.calendar.google.com/private-abc/basic.ics"


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setenv("ICALBRIDGE_ALLOW_PRIVATE_URLS", "127.0.0.1/32")
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"


def doctor(capsys: pytest.CaptureFixture[str], url: str, *extra: str) -> tuple[int, str]:
    code = main(["inspect", url, *extra])
    return code, capsys.readouterr().out


def calendar_of(*stays: tuple[date, date]) -> bytes:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:stay-{n}@example.test\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART;VALUE=DATE:{a:%Y%m%d}\r\nDTEND;VALUE=DATE:{b:%Y%m%d}\r\n"
        "SUMMARY:Reserved\r\nEND:VEVENT\r\n"
        for n, (a, b) in enumerate(stays)
    )
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN\r\n"
        f"{events}END:VCALENDAR\r\n"
    ).encode()


def today() -> date:
    """Today where the command reads feeds by default (Paris), not in UTC: an hour apart
    around midnight."""
    return clock.now().astimezone(ZoneInfo("Europe/Paris")).date()


def test_a_good_feed_names_its_platform_its_events_and_their_dates(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    start = today() + timedelta(days=30)
    feed_server.serve("/a.ics", calendar_of((start, start + timedelta(days=4))))
    code, out = doctor(capsys, feed_server.url("/a.ics"))
    assert code == 0
    assert "Usable feed." in out
    assert (
        f"Recognised platform: Airbnb. 1 event from {start} to {start + timedelta(days=3)}." in out
    )


def test_a_login_page_is_called_a_login_page(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.fault("/login.ics", "html")
    code, out = doctor(capsys, feed_server.url("/login.ics"))
    assert code == 2
    assert "answered with a web page" in out
    assert "not the address of the page that shows the calendar" in out


def test_a_missing_link_is_called_wrong_or_reset(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = doctor(capsys, feed_server.url("/gone.ics"))
    assert code == 2
    assert "The server answered 404: the link is wrong or was reset. Copy the link again" in out
    assert "Google" not in out


def test_a_refusal_mentions_servers_that_turn_away_programs(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.fault("/refused.ics", "status", code=403)
    code, out = doctor(capsys, feed_server.url("/refused.ics"))
    assert code == 2
    assert "The server answered 403: the link is private" in out
    assert "User-Agent" in out


def test_a_server_that_wants_a_user_agent_is_read_because_icalbridge_sends_one(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.serve("/ua.ics", CALENDAR)
    feed_server.fault("/ua.ics", "require_user_agent")
    code, out = doctor(capsys, feed_server.url("/ua.ics"))
    assert code == 0 and "Usable feed." in out
    agent = feed_server.requests("/ua.ics")[0].header("User-Agent") or ""
    assert agent.startswith("icalbridge/")


def test_an_empty_answer_reassures_that_bookings_are_kept(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.fault("/empty.ics", "empty")
    code, out = doctor(capsys, feed_server.url("/empty.ics"))
    assert code == 2
    assert "an empty answer (0 bytes)" in out
    assert "keeps your bookings" in out


def test_json_is_not_a_calendar(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.fault("/api.ics", "json")
    code, out = doctor(capsys, feed_server.url("/api.ics"))
    assert code == 2
    assert "JSON data instead of a calendar" in out
    assert "use its iCal (.ics) export link" in out


@pytest.mark.parametrize("honest_length", [False, True])
def test_a_cut_calendar_is_called_cut_off(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str], honest_length: bool
) -> None:
    feed_server.fault("/cut.ics", "truncated", honest_length=honest_length)
    code, out = doctor(capsys, feed_server.url("/cut.ics"))
    assert code == 2
    assert "The calendar is cut off" in out


def test_a_private_address_is_refused_with_the_reason(
    settings: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ICALBRIDGE_ALLOW_PRIVATE_URLS")
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = ""
    code, out = doctor(capsys, "http://192.168.1.10/calendar.ics")
    assert code == 2
    assert "192.168.1.10, a private or reserved network address" in out


def test_a_silent_server_is_reported_with_the_time_waited(
    feed_server: FeedServer, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.ICALBRIDGE_FETCH_TIMEOUT_S = 1
    feed_server.fault("/slow.ics", "hang")
    code, out = doctor(capsys, feed_server.url("/slow.ics"))
    assert code == 2
    assert "within 1 seconds. Try again later" in out


def test_a_huge_feed_names_the_limit(
    feed_server: FeedServer, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.ICALBRIDGE_FETCH_MAX_BYTES = 1024 * 1024
    feed_server.fault("/huge.ics", "huge", mb=3)
    code, out = doctor(capsys, feed_server.url("/huge.ics"))
    assert code == 2
    assert "larger than the 1.0\xa0MB limit" in out
    assert "Export a shorter period" in out


def test_a_calendar_of_past_events_only_is_pointed_out(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    start = today() - timedelta(days=90)
    feed_server.serve("/old.ics", calendar_of((start, start + timedelta(days=3))))
    code, out = doctor(capsys, feed_server.url("/old.ics"))
    assert code == 0
    assert "The calendar holds only past events" in out


def test_a_feed_that_stops_in_two_days_asks_about_a_short_export(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.serve("/short.ics", calendar_of((today(), today() + timedelta(days=3))))
    code, out = doctor(capsys, feed_server.url("/short.ics"))
    assert code == 0
    assert "The feed ends in 2 days: does the platform only export its next 2 days?" in out


def test_a_google_address_answering_404_says_it_must_be_public(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = doctor(capsys, feed_server.url(GOOGLE_PATH))
    assert code == 2
    assert "This Google address only works when the calendar is public" in out


def test_the_json_diagnosis_carries_codes_and_both_languages(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.fault("/login.ics", "html")
    code, out = doctor(capsys, feed_server.url("/login.ics"), "--json")
    body = json.loads(out)
    assert code == 2
    assert body["ok"] is False
    assert body["findings"][0]["code"] == "login_page"
    assert "connexion" in body["findings"][0]["message_fr"]


def test_the_diagnosis_speaks_french_when_asked(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = doctor(capsys, feed_server.url("/gone.ics"), "--lang", "fr")
    assert code == 2
    assert "Le serveur a répondu 404 : le lien est faux ou a été réinitialisé." in out
