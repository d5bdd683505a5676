"""What platforms and calendar programs get from /ical/<token>.ics."""

from __future__ import annotations

import gzip
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from icalbridge import clock
from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.feeds import serving
from icalbridge.feeds.fetch_records import fetch_recorder
from icalbridge.hub.models import Channel, PublishedFeed
from icalbridge.wsgi import application
from tests.support.hub import days_from_today, new_export_with_a_stay

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_fetch_records() -> None:
    serving._recorded.clear()
    serving.forget_stored_feeds()


@pytest.fixture
def channel() -> Channel:
    return new_export_with_a_stay()


def url_of(channel: Channel) -> str:
    return PublishedFeed.objects.get(channel=channel).path


def test_a_feed_is_served_as_a_utf8_calendar_with_validators(channel: Channel) -> None:
    response = Client().get(url_of(channel))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["ETag"].startswith('"') and response["Last-Modified"].endswith("GMT")
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert f"DTSTART;VALUE=DATE:{days_from_today(4):%Y%m%d}".encode() in response.content


def test_the_same_bookings_give_the_same_bytes_and_etag(channel: Channel) -> None:
    first = Client().get(url_of(channel))
    second = Client().get(url_of(channel))
    assert first.content == second.content and first["ETag"] == second["ETag"]


def test_a_conditional_request_gets_304_without_a_body(channel: Channel) -> None:
    etag = Client().get(url_of(channel))["ETag"]
    by_etag = Client().get(url_of(channel), HTTP_IF_NONE_MATCH=etag)
    assert by_etag.status_code == 304 and by_etag.content == b""
    later = (timezone.now() + timedelta(minutes=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    by_date = Client().get(url_of(channel), HTTP_IF_MODIFIED_SINCE=later)
    assert by_date.status_code == 304


def test_a_changed_booking_changes_the_etag(channel: Channel) -> None:
    etag = Client().get(url_of(channel))["ETag"]
    create_local_booking(
        channel.unit, span=Nights(days_from_today(20), days_from_today(22)), kind=Kind.UNAVAILABLE
    )
    response = Client().get(url_of(channel), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_a_feed_rewritten_while_it_is_served_gets_its_new_version_never_a_404(
    channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A platform that gets a 404 may take the link for removed: a booking that changes the
    # feed between the request's two lookups (its version, then its bytes) must not give one.
    first = Client().get(url_of(channel))
    serving.forget_stored_feeds()
    looked_up = serving.feed_row

    def booking_arrives_after_the_lookup(token: str, fields: tuple[str, ...]) -> object:
        row = looked_up(token, fields)
        monkeypatch.setattr(serving, "feed_row", looked_up)  # one booking, then as usual
        create_local_booking(
            channel.unit,
            span=Nights(days_from_today(30), days_from_today(32)),
            kind=Kind.UNAVAILABLE,
        )
        return row

    monkeypatch.setattr(serving, "feed_row", booking_arrives_after_the_lookup)
    response = Client().get(url_of(channel))
    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]
    assert f"DTSTART;VALUE=DATE:{days_from_today(30):%Y%m%d}".encode() in response.content


def test_gzip_is_sent_to_clients_that_accept_it(channel: Channel) -> None:
    plain = Client().get(url_of(channel)).content
    response = Client().get(url_of(channel), HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == plain


def test_head_answers_the_headers_without_the_body(channel: Channel) -> None:
    response = Client().head(url_of(channel))
    assert response.status_code == 200 and response.content == b""
    assert int(response["Content-Length"]) > 100


@pytest.mark.parametrize(
    "path", ["/ical/unknown-token-0123456789.ics", "/ical/x.ics", "/ical/../admin.ics"]
)
def test_an_unknown_token_gets_a_bare_404(channel: Channel, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 404
    assert b"token" not in response.content.lower()


def test_a_fetch_is_recorded_with_the_platform_once_a_minute(channel: Channel) -> None:
    path = url_of(channel)
    Client().get(path, HTTP_USER_AGENT="Booking.com iCal Importer/1.0")
    fetch_recorder.flush()
    channel.refresh_from_db()
    assert channel.last_export_fetch_by.startswith("booking")
    assert channel.export_fetch_count == 1
    Client().get(path, HTTP_USER_AGENT="Booking.com iCal Importer/1.0")
    assert fetch_recorder.pending == 0  # nothing to write for a fetch within the minute
    fetch_recorder.flush()
    channel.refresh_from_db()
    assert channel.export_fetch_count == 1


def test_a_queued_fetch_keeps_the_time_it_was_served_not_the_time_it_was_written(
    channel: Channel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = url_of(channel)
    clock_file = tmp_path / "clock"
    served_at = timezone.now().replace(microsecond=0)
    clock.set_virtual_now(clock_file, served_at)
    monkeypatch.setenv(clock.CLOCK_FILE_VARIABLE, str(clock_file))
    Client().get(path, HTTP_USER_AGENT="Airbnb/1.0")
    clock.set_virtual_now(clock_file, served_at + timedelta(hours=3))
    fetch_recorder.flush()
    channel.refresh_from_db()
    assert channel.last_export_fetch_at == served_at
    assert [f.at for f in channel.export_fetches.all()] == [served_at]


def test_each_fetch_is_counted_and_the_history_keeps_the_last_two_versions_served(
    channel: Channel,
) -> None:
    path = url_of(channel)
    for _ in range(2):
        serving._recorded.clear()
        Client().get(path, HTTP_USER_AGENT="Booking.com iCal Importer/1.0")
    fetch_recorder.flush()
    channel.refresh_from_db()
    first = channel.served_history
    assert [len(h["nights"]) for h in first] == [1, 1]
    assert first[0]["etag"] == first[1]["etag"]
    serving._recorded.clear()
    Client().get(path, HTTP_USER_AGENT="Booking.com iCal Importer/1.0")
    # A third fetch of the same version teaches the history nothing: one write records it on
    # the channel, one insert among the export loop's fetches (sync.export_loop).
    with CaptureQueriesContext(connection) as queries:
        fetch_recorder.flush()
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements.count("UPDATE") == 1 and statements.count("INSERT") == 1
    assert "SELECT" not in statements
    channel.refresh_from_db()
    assert channel.export_fetch_count == 3
    assert channel.export_fetches.count() == 3
    assert channel.served_history == first
    create_local_booking(
        channel.unit, span=Nights(days_from_today(20), days_from_today(22)), kind=Kind.UNAVAILABLE
    )
    serving._recorded.clear()
    Client().get(path, HTTP_USER_AGENT="Booking.com iCal Importer/1.0")
    fetch_recorder.flush()
    channel.refresh_from_db()
    assert channel.export_fetch_count == 4
    assert [len(h["nights"]) for h in channel.served_history] == [2, 1]
    assert channel.served_history[1] == first[0]


def test_the_lean_path_answers_like_the_django_view(channel: Channel) -> None:
    path = url_of(channel)
    captured: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        captured["status"], captured["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
    }
    body = b"".join(application(environ, start_response))
    django = Client().get(path)
    assert captured["status"] == "200 OK"
    assert body == django.content
    assert captured["headers"]["ETag"] == django["ETag"]  # type: ignore[index]
    assert "Set-Cookie" not in captured["headers"]  # type: ignore[operator]
