"""A CalDAV push that stops working is told to its owner once, by e-mail, in their language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from icalbridge import clock
from icalbridge.alerts.deliver import deliver_due_alerts
from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Timed
from icalbridge.hub.models import AgendaFeed, CaldavPush, Membership, Role, Unit, UserPreference
from icalbridge.sync.caldav_push import configure_push, enqueue_due_pushes
from icalbridge.sync.caldav_secrets import Credentials, OAuthGrant
from icalbridge.sync.exporter import refresh_agenda_feed
from tests.alerts.conftest import Inbox, new_host, parts_of
from tests.support.oauth_server import CLIENT_ID, CLIENT_SECRET, OAuthCalendarServer
from tests.support.radicale import PASSWORD, USER, Radicale

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("immediate_queue", "allow_local_feeds"),
]


def test_a_push_that_stops_working_tells_its_owner_once_and_once_back(
    inbox: Inbox, radicale: Radicale
) -> None:
    organization = new_host("owner@example.test", "en")
    unit = Unit.objects.create(organization=organization, name="Salle 1")
    teacher = get_user_model().objects.create_user("prof@example.test", "prof@example.test")
    UserPreference.objects.create(user=teacher, language="fr")
    Membership.objects.create(user=teacher, organization=organization, role=Role.VIEWER)
    agenda = AgendaFeed.objects.create(user=teacher, organization=organization, name="Mes cours")
    start = datetime(2027, 3, 1, 9, tzinfo=UTC)
    create_local_booking(unit, span=Timed(start, start + timedelta(hours=1)), kind=Kind.RESERVED)
    refresh_agenda_feed(agenda)
    calendar = radicale.new_calendar()
    push = configure_push(agenda, calendar, Credentials(USER, PASSWORD))
    # The teacher changed the password on the server, not in the hub.
    configure_push(agenda, calendar, Credentials(USER, "changed-since"))
    assert CaldavPush.objects.get().pk == push.pk
    deliver_due_alerts(clock.now())

    (message,) = inbox.messages
    assert "prof@example.test" in str(message["To"])
    text, _ = parts_of(message)
    assert "Mes cours" in str(message["Subject"])
    assert "a refusé le nom d'utilisateur ou le mot de passe" in text

    enqueue_due_pushes(clock.now() + timedelta(hours=2))  # it keeps failing
    deliver_due_alerts(clock.now())
    assert len(inbox.messages) == 1, "a lasting failure is told once"

    configure_push(agenda, calendar, Credentials(USER, PASSWORD))
    deliver_due_alerts(clock.now())
    assert len(inbox.messages) == 2
    assert "de nouveau" in str(inbox.messages[1]["Subject"])
    assert all("owner@example.test" not in str(m["To"]) for m in inbox.messages)


def test_a_revoked_google_style_authorization_tells_its_owner_once_to_connect_again(
    inbox: Inbox, radicale: Radicale, oauth_calendars: OAuthCalendarServer
) -> None:
    organization = new_host("owner@example.test", "en")
    unit = Unit.objects.create(organization=organization, name="Salle 1")
    teacher = get_user_model().objects.create_user("prof@example.test", "prof@example.test")
    UserPreference.objects.create(user=teacher, language="fr")
    Membership.objects.create(user=teacher, organization=organization, role=Role.VIEWER)
    agenda = AgendaFeed.objects.create(user=teacher, organization=organization, name="Mes cours")
    start = datetime(2027, 3, 1, 9, tzinfo=UTC)
    create_local_booking(unit, span=Timed(start, start + timedelta(hours=1)), kind=Kind.RESERVED)
    refresh_agenda_feed(agenda)
    refresh_token = oauth_calendars.grant()
    grant = OAuthGrant(CLIENT_ID, CLIENT_SECRET, refresh_token, oauth_calendars.token_url)
    calendar = oauth_calendars.calendar_url(radicale.new_calendar())
    configure_push(agenda, calendar, Credentials("", "", grant))
    deliver_due_alerts(clock.now())
    assert inbox.messages == []

    oauth_calendars.revoke(refresh_token)
    create_local_booking(unit, span=Timed(start, start + timedelta(hours=2)), kind=Kind.RESERVED)
    deliver_due_alerts(clock.now())
    enqueue_due_pushes(clock.now() + timedelta(hours=2))  # it keeps failing
    deliver_due_alerts(clock.now())

    (message,) = inbox.messages
    assert "prof@example.test" in str(message["To"])
    text, _ = parts_of(message)
    assert "127.0.0.1 a refusé l'autorisation" in text
    assert "Connectez-vous de nouveau" in text
    assert refresh_token not in text and CLIENT_SECRET not in text
