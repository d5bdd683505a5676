"""Only what a feed shows moves its bytes: a private note edit leaves every feed as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.hub.models import AgendaFeed, Booking, Channel, PublishedFeed, Unit
from icalbridge.sync.exporter import refresh_agenda_feed
from tests.support.hub import days_from_today, new_channel, new_unit

pytestmark = pytest.mark.django_db(transaction=True)


def feeds_as_served(unit: Unit) -> dict[str, tuple[bytes, str]]:
    """Return every export and agenda feed of a unit as a calendar client fetches it."""
    served = {}
    for feed in PublishedFeed.objects.filter(channel__unit=unit) | PublishedFeed.objects.filter(
        agenda__organization=unit.organization
    ):
        response = Client().get(feed.path)
        assert response.status_code == 200
        served[feed.path] = (response.content, response["ETag"])
    return served


@pytest.fixture
def booked() -> tuple[Unit, Booking, Client]:
    unit = new_unit()
    for name, platform in (("Airbnb", "airbnb"), ("Booking.com", "booking"), ("Agenda", "google")):
        new_channel(unit, name, platform, direction="export")
    owner = unit.organization.memberships.get().user
    agenda = AgendaFeed.objects.create(user=owner, organization=unit.organization, name="Planning")
    booking = create_local_booking(
        unit,
        span=Nights(days_from_today(10), days_from_today(13)),
        kind=Kind.RESERVED,
        category="séjour",
        note="arrive late",
    )
    refresh_agenda_feed(agenda)
    client = Client()
    client.force_login(owner)
    return unit, booking, client


def sequence_in(body: bytes) -> int:
    return int(body.split(b"SEQUENCE:")[1].split(b"\r\n")[0])


def edit(client: Client, booking: Booking, **changes: str) -> None:
    form = {
        "kind": booking.kind,
        "start": booking.start_date.isoformat(),
        "end": booking.end_date.isoformat(),
        "category": booking.category,
        "note": booking.note,
        "apply_on": "all",
        **changes,
    }
    response = client.post(reverse("booking_detail", args=[booking.public_id]), form)
    assert response.status_code == 302


def forget_revisions(unit: Unit) -> None:
    """Leave the feeds as they were stored before each kept its revisions beside its bytes."""
    PublishedFeed.objects.filter(channel__unit=unit).update(revisions={})
    PublishedFeed.objects.filter(agenda__organization=unit.organization).update(revisions={})


@pytest.mark.parametrize("stored", ["revisions stored", "feeds from before stored revisions"])
def test_editing_a_private_note_changes_no_feed_byte_nor_etag(
    booked: tuple[Unit, Booking, Client], stored: str
) -> None:
    unit, booking, client = booked
    if stored != "revisions stored":
        forget_revisions(unit)
    before = feeds_as_served(unit)
    assert len(before) == 4

    edit(client, booking, note="code de la boîte à clés : 4512")

    booking.refresh_from_db()
    assert booking.note == "code de la boîte à clés : 4512"
    assert feeds_as_served(unit) == before


@pytest.mark.parametrize("stored", ["revisions stored", "feeds from before stored revisions"])
def test_changing_the_dates_changes_every_feed_and_raises_the_sequence(
    booked: tuple[Unit, Booking, Client], stored: str
) -> None:
    unit, booking, client = booked
    edit(client, booking, note="a first private change")
    if stored != "revisions stored":
        forget_revisions(unit)
    before = feeds_as_served(unit)

    later = booking.start_date + timedelta(days=1)
    edit(client, booking, start=later.isoformat())

    after = feeds_as_served(unit)
    for path, (body, etag) in after.items():
        assert etag != before[path][1]
        assert f"{later:%Y%m%d}".encode() in body
        assert sequence_in(body) > sequence_in(before[path][0])


def test_a_category_change_moves_the_agenda_feeds_but_not_the_rental_ones(
    booked: tuple[Unit, Booking, Client],
) -> None:
    unit, booking, client = booked
    before = feeds_as_served(unit)

    edit(client, booking, category="stage")

    after = feeds_as_served(unit)
    rental = {
        PublishedFeed.objects.get(channel=c).path
        for c in Channel.objects.filter(unit=unit, platform__in=("airbnb", "booking"))
    }
    assert {path for path in after if after[path] != before[path]} == set(after) - rental


def test_agenda_feeds_ask_for_an_hourly_refresh_and_rental_feeds_do_not(
    booked: tuple[Unit, Booking, Client],
) -> None:
    unit, _booking, _client = booked
    asking = {
        path
        for path, (body, _etag) in feeds_as_served(unit).items()
        if b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
    }
    agendas = {
        PublishedFeed.objects.get(channel__unit=unit, channel__platform="google").path,
        PublishedFeed.objects.get(agenda__organization=unit.organization).path,
    }
    assert asking == agendas
