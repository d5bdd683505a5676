"""Agenda feeds written into a calendar that takes OAuth 2.0 bearer tokens, as Google's does.

A real token endpoint and a real bearer-checking CalDAV front on 127.0.0.1
(tests/support/oauth_server.py), before a real Radicale.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from icalbridge.bookings.local_bookings import cancel_booking, update_local_booking
from icalbridge.clock import CLOCK_FILE_VARIABLE, set_virtual_now
from icalbridge.core.push_status import PushFailure
from icalbridge.core.spans import Timed
from icalbridge.hub.models import AgendaFeed, CaldavPush
from icalbridge.sync.caldav_oauth import EXPIRY_MARGIN, authority_of
from icalbridge.sync.caldav_push import configure_push, stop_pushes
from icalbridge.sync.caldav_secrets import Credentials, OAuthGrant
from icalbridge.sync.caldav_status import push_status
from icalbridge.sync.caldav_texts import failure_text
from tests.support.oauth_server import CLIENT_ID, CLIENT_SECRET, OAuthCalendarServer
from tests.support.radicale import Radicale
from tests.sync.test_caldav_push import lesson, starts, teachers_agenda, uid_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("allow_local_feeds", "immediate_queue"),
]


@pytest.fixture
def hub_clock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The hub's clock, moved by the test: access tokens expire by it."""
    path = tmp_path / "clock"
    set_virtual_now(path, timezone.now())
    monkeypatch.setenv(CLOCK_FILE_VARIABLE, str(path))
    return path


def google_login(server: OAuthCalendarServer, refresh_token: str, **changes: str) -> Credentials:
    grant = OAuthGrant(CLIENT_ID, CLIENT_SECRET, refresh_token, server.token_url)
    return Credentials("", "", OAuthGrant(**{**grant.__dict__, **changes}))


def test_a_calendar_is_written_with_a_bearer_token_kept_until_it_expires_then_renewed(
    radicale: Radicale, oauth_calendars: OAuthCalendarServer, hub_clock: Path
) -> None:
    unit, agenda, _ = teachers_agenda()
    first = lesson(unit, 4, 9)
    calendar = radicale.new_calendar()
    connected_at = timezone.now()
    set_virtual_now(hub_clock, connected_at)

    push = configure_push(
        agenda,
        oauth_calendars.calendar_url(calendar),
        google_login(oauth_calendars, oauth_calendars.grant()),
    )

    assert set(starts(radicale, calendar)) == {uid_of(first)}
    assert push_status(CaldavPush.objects.get(pk=push.pk)).state == "ok"
    assert oauth_calendars.state.refreshes == 1
    headers = oauth_calendars.state.authorization_headers
    assert headers and all(h.startswith("Bearer ya29.access-") for h in headers)

    # Within the token's hour, each change goes with the same token.
    second = lesson(unit, 5, 10)
    set_virtual_now(
        hub_clock, connected_at + timedelta(hours=1) - EXPIRY_MARGIN - timedelta(seconds=5)
    )
    third = lesson(unit, 6, 11)
    assert set(starts(radicale, calendar)) == {uid_of(first), uid_of(second), uid_of(third)}
    assert oauth_calendars.state.refreshes == 1
    assert len(set(oauth_calendars.state.authorization_headers)) == 1

    # Once it is about to expire, a new one is asked for before the next change.
    set_virtual_now(hub_clock, connected_at + timedelta(hours=1) - EXPIRY_MARGIN)
    moved_to = datetime(2027, 1, 7, 16, tzinfo=UTC)
    update_local_booking(first, span=Timed(moved_to, moved_to + timedelta(hours=1)))
    assert starts(radicale, calendar)[uid_of(first)] == moved_to
    assert oauth_calendars.state.refreshes == 2
    assert oauth_calendars.state.refused_bearers == 0
    assert len(set(oauth_calendars.state.authorization_headers)) == 2


def test_a_token_refused_before_its_time_is_renewed_and_the_write_goes_through(
    radicale: Radicale, oauth_calendars: OAuthCalendarServer
) -> None:
    unit, agenda, _ = teachers_agenda()
    kept = lesson(unit, 4, 9)
    gone = lesson(unit, 5, 9)
    calendar = radicale.new_calendar()
    push = configure_push(
        agenda,
        oauth_calendars.calendar_url(calendar),
        google_login(oauth_calendars, oauth_calendars.grant()),
    )
    assert oauth_calendars.state.refreshes == 1

    oauth_calendars.expire_access_tokens()
    cancel_booking(gone)

    assert set(starts(radicale, calendar)) == {uid_of(kept)}
    assert oauth_calendars.state.refused_bearers == 1
    assert oauth_calendars.state.refreshes == 2
    assert push_status(CaldavPush.objects.get(pk=push.pk)).state == "ok"


def test_a_revoked_authorization_stops_the_writes_and_says_to_connect_again(
    radicale: Radicale, oauth_calendars: OAuthCalendarServer
) -> None:
    unit, agenda, _ = teachers_agenda()
    lesson(unit, 4, 9)
    calendar = radicale.new_calendar()
    refresh_token = oauth_calendars.grant()
    login = google_login(oauth_calendars, refresh_token)
    push = configure_push(agenda, oauth_calendars.calendar_url(calendar), login)
    assert len(starts(radicale, calendar)) == 1

    oauth_calendars.revoke(refresh_token)
    later = lesson(unit, 5, 9)

    assert uid_of(later) not in starts(radicale, calendar)
    stored = CaldavPush.objects.get(pk=push.pk)
    assert stored.failure_code == PushFailure.AUTHORIZATION_REVOKED
    with translation.override("en"):
        status = push_status(stored)
    with translation.override("fr"):
        french = push_status(stored).message
    assert status.state == "error"
    assert "127.0.0.1 refused the authorization" in status.message
    assert "Connect again" in status.message
    assert "a refusé l'autorisation" in french and "Connectez-vous de nouveau" in french


def test_a_wrong_client_secret_is_told_in_plain_words(
    radicale: Radicale, oauth_calendars: OAuthCalendarServer
) -> None:
    _, agenda, _ = teachers_agenda()
    calendar = oauth_calendars.calendar_url(radicale.new_calendar())
    login = google_login(oauth_calendars, oauth_calendars.grant(), client_secret="not-it")

    push = configure_push(agenda, calendar, login)

    with translation.override("en"):
        status = push_status(push)
    assert status.state == "error"
    assert "refused the OAuth client" in status.message
    assert "client ID and secret" in status.message
    assert oauth_calendars.state.authorization_headers == [], "nothing sent to the calendar"


def test_a_token_endpoint_on_a_private_address_is_refused_like_a_calendar(
    radicale: Radicale, oauth_calendars: OAuthCalendarServer, settings: Any
) -> None:
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    _, agenda, _ = teachers_agenda()
    calendar = oauth_calendars.calendar_url(radicale.new_calendar())
    port = oauth_calendars.token_url.rsplit(":", 1)[1]
    login = google_login(
        oauth_calendars, oauth_calendars.grant(), token_url=f"http://127.0.0.2:{port}"
    )

    push = configure_push(agenda, calendar, login)

    with translation.override("en"):
        status = push_status(push)
    assert status.state == "error"
    assert "127.0.0.2, a private network address" in status.message
    assert oauth_calendars.state.refreshes == 0


def test_google_is_named_as_google_in_what_a_person_reads() -> None:
    assert authority_of("https://oauth2.googleapis.com/token") == "Google"
    assert authority_of("https://apidata.googleusercontent.com/caldav/v2/x/events/") == "Google"
    assert authority_of("https://auth.example.test/token") == "auth.example.test"
    assert authority_of("https://notgoogle.com/token") == "notgoogle.com"
    with translation.override("en"):
        text = failure_text(PushFailure.AUTHORIZATION_REVOKED, "Google")
    assert text.startswith("Google refused the authorization")
    assert "Connect again" in text


def test_a_push_stopped_after_its_authorization_was_withdrawn_is_forgotten_at_once(
    radicale: Radicale, oauth_calendars: OAuthCalendarServer
) -> None:
    unit, agenda, _ = teachers_agenda()
    lesson(unit, 4, 9)
    calendar = radicale.new_calendar()
    refresh_token = oauth_calendars.grant()
    login = google_login(oauth_calendars, refresh_token)
    configure_push(agenda, oauth_calendars.calendar_url(calendar), login)
    oauth_calendars.revoke(refresh_token)

    stop_pushes(AgendaFeed.objects.filter(pk=agenda.pk))

    # Nothing can be removed without an authorization: the grant is not kept for a week.
    assert not CaldavPush.objects.exists()
    assert len(starts(radicale, calendar)) == 1
