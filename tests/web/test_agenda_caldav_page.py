"""The agenda links page: write a link into a CalDAV calendar, told in plain words how it went."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Timed
from icalbridge.hub.models import AgendaFeed, Unit
from icalbridge.sync.exporter import refresh_agenda_feed
from tests.support.oauth_server import CLIENT_ID, CLIENT_SECRET, OAuthCalendarServer
from tests.support.radicale import PASSWORD as CALDAV_PASSWORD
from tests.support.radicale import USER, Radicale
from tests.web.conftest import PASSWORD, make_org, shoot, switch_language
from tests.web.test_screenshots import PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("immediate_queue", "allow_local_feeds"),
]


def log_in(page: Any) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Adresse e-mail").fill("julie@ecole-musique.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def fill_caldav(page: Any, card: Any, opener: str, url: str, password: str) -> None:
    card.get_by_text(opener).click()
    card.get_by_label("Adresse du calendrier").fill(url)
    card.get_by_label("Nom d'utilisateur").fill(USER)
    card.get_by_label("Mot de passe").fill(password)
    with page.expect_navigation():
        card.get_by_role("button", name="Tester la connexion et enregistrer").click()


def test_a_teacher_writes_her_lessons_into_her_calendar_from_the_agenda_page(
    page: Any, radicale: Radicale
) -> None:
    school = make_org("julie@ecole-musique.fr", "École de musique")
    room = Unit.objects.create(organization=school.organization, name="Salle Debussy")
    for day in (4, 5, 6):
        start = datetime(2027, 1, day, 9, tzinfo=UTC)
        span = Timed(start, start + timedelta(hours=1))
        create_local_booking(room, span=span, kind=Kind.RESERVED, category="piano")
    agenda = AgendaFeed.objects.create(
        user=school.owner, organization=school.organization, name="Mes cours"
    )
    refresh_agenda_feed(agenda)
    calendar = radicale.new_calendar("Cours")
    log_in(page)
    page.goto("/agenda-feeds/")
    assert "Google toutes les 8 à 24 heures" in page.content()
    card = page.locator(".agenda-card").first

    fill_caldav(page, card, "Écrire dans mon calendrier", calendar, "pas-le-bon")
    expect(
        page.get_by_text("a refusé le nom d'utilisateur ou le mot de passe").first
    ).to_be_visible()
    expect(page.locator(".caldav .badge-error")).to_be_visible()
    fill_caldav(page, card, "Changer de calendrier ou de mot de passe", calendar, CALDAV_PASSWORD)
    expect(page.locator(".caldav .badge-ok")).to_be_visible()
    assert "3 événements" in page.locator(".caldav").inner_text()
    assert len(radicale.events(calendar)) == 3
    assert CALDAV_PASSWORD not in page.content()

    card.get_by_text("Changer de calendrier ou de mot de passe").click()
    card.get_by_text("Où trouver l'adresse").click()
    shoot(page, "agenda-caldav")
    page.set_viewport_size(PHONE)
    shoot(page, "agenda-caldav-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    switch_language(page, "EN")
    page.locator(".agenda-card").first.get_by_text("Change the calendar or the password").click()
    page.locator(".agenda-card").first.get_by_text("Where to find the address").click()
    assert "Google every 8 to 24 hours" in page.content()
    shoot(page, "agenda-caldav.en")
    page.set_viewport_size(PHONE)
    shoot(page, "agenda-caldav-phone.en")
    switch_language(page, "FR")

    with page.expect_navigation():
        page.get_by_role("button", name="Arrêter l'écriture").click()
    assert radicale.events(calendar) == {}


def google_for_the_hub(settings: Any, server: OAuthCalendarServer) -> None:
    """Give the hub its own Google OAuth client, with Google played by ``server``."""
    settings.ICALBRIDGE_GOOGLE_CLIENT_ID = CLIENT_ID
    settings.ICALBRIDGE_GOOGLE_CLIENT_SECRET = CLIENT_SECRET
    settings.ICALBRIDGE_GOOGLE_AUTHORIZE_URL = server.authorize_url
    settings.ICALBRIDGE_GOOGLE_TOKEN_URL = server.token_url
    # Radicale's calendars are /teacher/<id>/ where Google's are /caldav/v2/<id>/events/.
    settings.ICALBRIDGE_GOOGLE_CALDAV_URL = server.base + "/teacher/{calendar}/"


def test_a_teacher_connects_her_google_calendar_and_gives_no_password(
    page: Any, radicale: Radicale, oauth_calendars: OAuthCalendarServer, settings: Any
) -> None:
    google_for_the_hub(settings, oauth_calendars)
    school = make_org("julie@ecole-musique.fr", "École de musique")
    room = Unit.objects.create(organization=school.organization, name="Salle Debussy")
    for day in (4, 5):
        start = datetime(2027, 1, day, 9, tzinfo=UTC)
        span = Timed(start, start + timedelta(hours=1))
        create_local_booking(room, span=span, kind=Kind.RESERVED, category="piano")
    agenda = AgendaFeed.objects.create(
        user=school.owner, organization=school.organization, name="Mes cours"
    )
    refresh_agenda_feed(agenda)
    calendar = radicale.new_calendar("Cours")
    calendar_id = calendar.rstrip("/").rsplit("/", 1)[1]
    log_in(page)
    page.goto("/agenda-feeds/")
    card = page.locator(".agenda-card").first
    card.get_by_text("Écrire dans un calendrier Google", exact=True).click()
    card.get_by_label("Identifiant du calendrier Google").fill(calendar_id)
    shoot(page, "agenda-google")

    # To Google's consent page, which sends the browser back at once, as after "Allow".
    with page.expect_navigation(url="**/agenda-feeds/"):
        card.get_by_role("button", name="Se connecter avec Google").click()

    expect(page.locator(".caldav .badge-ok")).to_be_visible()
    assert "2 événements" in page.locator(".caldav").inner_text()
    assert len(radicale.events(calendar)) == 2
    assert oauth_calendars.state.code_exchanges == 1
    assert oauth_calendars.state.refreshes == 0, "the code's own access token is used"
    assert CLIENT_SECRET not in page.content()
    assert all(h.startswith("Bearer ") for h in oauth_calendars.state.authorization_headers)
