"""What a host does on the pages, through the test client on the real database."""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.hub.models import (
    AgendaFeed,
    Booking,
    BookingMove,
    Channel,
    Conflict,
    HeldChange,
    Membership,
    Unit,
)
from tests.web.conftest import make_org
from tests.web.test_host_journey import airbnb_feed

EMPTY_CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def host() -> Any:
    return make_org("claire@gites-du-moulin.fr", "Gîtes du Moulin")


@pytest.fixture
def client(host: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(host.owner)
    return client


@pytest.fixture
def unit(host: Any) -> Unit:
    return Unit.objects.create(organization=host.organization, name="Gîte des Tilleuls")


def _airbnb(unit: Unit, url: str) -> Channel:
    return Channel.objects.create(
        unit=unit, name="Airbnb", platform="airbnb", direction="both", import_url=url
    )


@pytest.mark.django_db(transaction=True)
def test_keeping_a_held_mass_removal_keeps_the_bookings(
    client: Client, unit: Unit, feed_server: Any, allow_local_feeds: None
) -> None:
    feed_server.serve("/a.ics", airbnb_feed(date.today()))
    channel = _airbnb(unit, feed_server.url("/a.ics"))
    client.post(reverse("channel_import", args=[channel.public_id]))
    feed_server.serve("/a.ics", EMPTY_CALENDAR)
    client.post(reverse("channel_import", args=[channel.public_id]))
    assert HeldChange.objects.filter(channel=channel).exists()

    page = client.get(reverse("channel_detail", args=[channel.public_id])).content.decode()
    assert "Un changement vous attend" in page
    assert "Appliquer : les supprimer" in page

    client.post(reverse("held_keep", args=[channel.public_id]))
    assert not HeldChange.objects.filter(channel=channel).exists()
    assert Booking.objects.filter(origin=channel, cancelled_at__isnull=True).count() == 3


@pytest.mark.django_db(transaction=True)
def test_applying_a_held_mass_removal_frees_the_dates(
    client: Client, unit: Unit, feed_server: Any, allow_local_feeds: None
) -> None:
    feed_server.serve("/a.ics", airbnb_feed(date.today()))
    channel = _airbnb(unit, feed_server.url("/a.ics"))
    client.post(reverse("channel_import", args=[channel.public_id]))
    feed_server.serve("/a.ics", EMPTY_CALENDAR)
    client.post(reverse("channel_import", args=[channel.public_id]))

    client.post(reverse("held_apply", args=[channel.public_id]))
    assert not HeldChange.objects.filter(channel=channel).exists()
    assert Booking.objects.filter(origin=channel, cancelled_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_pasted_link_to_a_web_page_is_explained_in_plain_words(
    client: Client, unit: Unit, feed_server: Any, allow_local_feeds: None
) -> None:
    feed_server.serve(
        "/login", b"<!DOCTYPE html><html><body>Log in</body></html>", content_type="text/html"
    )
    answer = client.post(
        reverse("channel_check_url", args=[unit.public_id]),
        {"import_url": feed_server.url("/login"), "platform": "airbnb"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "pas un calendrier" in answer


@pytest.mark.django_db
def test_a_link_to_a_private_address_is_refused_with_the_reason(client: Client, unit: Unit) -> None:
    answer = client.post(
        reverse("channel_check_url", args=[unit.public_id]),
        {"import_url": "http://127.0.0.1:9/calendar.ics"},
    ).content.decode()
    assert "réseau privé" in answer


@pytest.mark.django_db
def test_moving_a_local_booking_keeps_its_old_dates_in_history(client: Client, unit: Unit) -> None:
    start = date.today() + timedelta(days=20)
    booking = create_local_booking(
        unit, span=Nights(start, start + timedelta(days=2)), kind=Kind.UNAVAILABLE
    )
    later = start + timedelta(days=7)
    response = client.post(
        reverse("booking_detail", args=[booking.public_id]),
        {
            "kind": "unavailable",
            "start": later.isoformat(),
            "end": (later + timedelta(days=3)).isoformat(),
            "apply_on": "all",
        },
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.start_date, booking.end_date) == (later, later + timedelta(days=3))
    assert BookingMove.objects.filter(booking=booking, source="host").count() == 1


@pytest.mark.django_db
def test_a_booking_that_ends_before_it_starts_is_refused_with_a_message(
    client: Client, unit: Unit
) -> None:
    day = date.today() + timedelta(days=5)
    page = client.post(
        reverse("booking_create", args=[unit.public_id]),
        {"kind": "reserved", "start": day.isoformat(), "end": day.isoformat(), "apply_on": "all"},
    ).content.decode()
    assert "Le départ doit être au moins un jour après l'arrivée." in html.unescape(page)
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_cancelling_a_local_booking_frees_its_dates(client: Client, unit: Unit) -> None:
    start = date.today() + timedelta(days=3)
    booking = create_local_booking(
        unit, span=Nights(start, start + timedelta(days=1)), kind=Kind.RESERVED
    )
    client.post(reverse("booking_cancel", args=[booking.public_id]))
    booking.refresh_from_db()
    assert booking.cancelled_at is not None


@pytest.mark.django_db
def test_an_imported_booking_is_shown_but_sent_back_to_its_platform_for_changes(
    client: Client, unit: Unit
) -> None:
    channel = _airbnb(unit, "https://calendar.invalid/a.ics")
    start = date.today() + timedelta(days=8)
    booking = Booking.objects.create(
        unit=unit,
        kind="reserved",
        origin=channel,
        remote_uid="r@airbnb.com",
        start_date=start,
        end_date=start + timedelta(days=2),
    )
    page = client.get(reverse("booking_detail", args=[booking.public_id])).content.decode()
    assert "modifiez-la ou annulez-la là-bas" in page
    assert 'name="kind"' not in page


@pytest.mark.django_db
def test_a_double_booking_shows_the_earlier_stay_first_whichever_was_seen_first(
    client: Client, unit: Unit
) -> None:
    start = date.today() + timedelta(days=20)
    later = create_local_booking(
        unit,
        span=Nights(start + timedelta(days=2), start + timedelta(days=5)),
        kind=Kind.RESERVED,
        summary="Séjour Martin",
    )
    earlier = Booking.objects.create(
        unit=unit,
        kind="reserved",
        origin=_airbnb(unit, "https://calendar.invalid/a.ics"),
        remote_uid="early@airbnb.com",
        start_date=start,
        end_date=start + timedelta(days=3),
    )
    conflict = Conflict.objects.create(
        unit=unit,
        first=later,
        second=earlier,
        start=start + timedelta(days=2),
        end=start + timedelta(days=3),
        detected_at=timezone.now(),
    )
    page = client.get(reverse("conflict_detail", args=[conflict.pk])).content.decode()
    assert page.index("Airbnb") < page.index("Séjour Martin")


@pytest.mark.django_db
def test_an_agenda_link_works_until_it_is_revoked(client: Client, unit: Unit) -> None:
    client.post(
        reverse("agenda_feeds"),
        {"name": "Planning ménage", "kinds": ["reserved"], "categories": ""},
    )
    agenda = AgendaFeed.objects.get(name="Planning ménage")
    path = agenda.feed.path
    assert Client().get(path).status_code == 200
    client.post(reverse("agenda_feed_revoke", args=[agenda.pk]))
    assert Client().get(path).status_code == 404


@pytest.mark.django_db
def test_a_forgotten_password_is_reset_by_e_mail_in_french(host: Any) -> None:
    Client(HTTP_ACCEPT_LANGUAGE="fr").post(
        reverse("password_reset"), {"email": "claire@gites-du-moulin.fr"}
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Votre nouveau mot de passe icalbridge"
    assert "/accounts/reset/" in mail.outbox[0].body


@pytest.mark.django_db
def test_pages_speak_english_when_asked(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Your units" in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert "Vos logements" in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_owner_adds_a_manager_who_then_sets_a_password_by_e_mail(
    client: Client, host: Any
) -> None:
    client.post(reverse("members"), {"email": "paul@gites-du-moulin.fr", "role": "manager"})
    member = Membership.objects.get(user__email="paul@gites-du-moulin.fr")
    assert member.organization == host.organization and member.can_edit and not member.is_owner
    Client().post(reverse("password_reset"), {"email": "paul@gites-du-moulin.fr"})
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_last_owner_cannot_step_down(client: Client, host: Any) -> None:
    own = Membership.objects.get(user=host.owner)
    client.post(reverse("member_role", args=[own.pk]), {"role": "viewer"})
    own.refresh_from_db()
    assert own.is_owner
