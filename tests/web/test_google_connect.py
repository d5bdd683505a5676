"""Connect with Google: the consent asked at Google's, and answers that come back wrong."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from django.test import Client

from icalbridge.hub.models import AgendaFeed, CaldavPush
from icalbridge.sync.exporter import refresh_agenda_feed
from tests.support.oauth_server import OAuthCalendarServer
from tests.support.radicale import Radicale
from tests.web.conftest import make_org
from tests.web.test_agenda_caldav_page import google_for_the_hub

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("immediate_queue", "allow_local_feeds"),
]
EMAIL = "julie@ecole-musique.fr"


def signed_in_teacher() -> tuple[Client, AgendaFeed]:
    school = make_org(EMAIL, "École de musique")
    agenda = AgendaFeed.objects.create(
        user=school.owner, organization=school.organization, name="Mes cours"
    )
    refresh_agenda_feed(agenda)
    client = Client(headers={"Accept-Language": "fr"})
    client.force_login(school.owner)
    return client, agenda


def back_from_google(client: Client, agenda: AgendaFeed, calendar_id: str) -> str:
    """Start the connection, go through Google's consent page; return the page shown after."""
    started = client.post(
        f"/agenda-feeds/{agenda.pk}/google/", {f"google-{agenda.pk}-calendar": calendar_id}
    )
    assert started.status_code == 302
    consent = httpx.get(started["Location"], follow_redirects=False)
    assert consent.status_code == 302, consent.text
    back = urlsplit(consent.headers["Location"])
    answer = client.get(f"{back.path}?{back.query}", follow=True)
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_consent_page_is_asked_for_offline_access_to_the_calendar_with_pkce(
    oauth_calendars: OAuthCalendarServer, settings: Any
) -> None:
    google_for_the_hub(settings, oauth_calendars)
    settings.PUBLIC_URL = "https://hub.example.test"
    client, agenda = signed_in_teacher()

    started = client.post(
        f"/agenda-feeds/{agenda.pk}/google/", {f"google-{agenda.pk}-calendar": "julie@gmail.com"}
    )

    asked = httpx.URL(started["Location"])
    assert str(asked).startswith(oauth_calendars.authorize_url + "?")
    assert asked.params["redirect_uri"] == "https://hub.example.test/agenda-feeds/google/return/"
    assert asked.params["scope"] == "https://www.googleapis.com/auth/calendar"
    assert asked.params["access_type"] == "offline" and asked.params["prompt"] == "consent"
    assert asked.params["code_challenge_method"] == "S256"
    assert len(asked.params["state"]) >= 32
    assert "client_secret" not in asked.params


def test_a_refused_consent_changes_nothing_and_says_so(
    radicale: Radicale, oauth_calendars: OAuthCalendarServer, settings: Any
) -> None:
    google_for_the_hub(settings, oauth_calendars)
    oauth_calendars.state.refuse_consent = True
    client, agenda = signed_in_teacher()

    page = back_from_google(client, agenda, "julie@gmail.com")

    assert "pas autorisé le hub à écrire dans votre calendrier Google" in page
    assert not CaldavPush.objects.exists()
    assert oauth_calendars.state.code_exchanges == 0


def test_a_return_that_no_connection_started_is_refused(
    oauth_calendars: OAuthCalendarServer, settings: Any
) -> None:
    google_for_the_hub(settings, oauth_calendars)
    client, agenda = signed_in_teacher()
    client.post(
        f"/agenda-feeds/{agenda.pk}/google/", {f"google-{agenda.pk}-calendar": "julie@gmail.com"}
    )

    # A code sent by someone else's link, with a state this session never made.
    answer = client.get("/agenda-feeds/google/return/?code=4/stolen&state=forged", follow=True)

    assert "ne correspond à aucune connexion commencée ici" in answer.content.decode()
    assert oauth_calendars.state.code_exchanges == 0
    assert not CaldavPush.objects.exists()


def test_without_the_hub_s_google_client_the_page_says_how_google_can_be_reached(
    settings: Any,
) -> None:
    settings.ICALBRIDGE_GOOGLE_CLIENT_ID = ""
    client, agenda = signed_in_teacher()

    page = client.get("/agenda-feeds/").content.decode()

    assert "Écrire dans un calendrier Google" not in page
    assert "administrateur" in page and "oauth" in page
    refused = client.post(
        f"/agenda-feeds/{agenda.pk}/google/", {f"google-{agenda.pk}-calendar": "julie@gmail.com"}
    )
    assert refused.status_code == 404
