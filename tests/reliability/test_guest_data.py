"""Guests' names, phone digits, e-mails and addresses never leave the hub in an export."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from icalbridge.feeds import probe_limits, serving
from icalbridge.feeds.probe_limits import ProbeLimiter
from icalbridge.hub.models import AgendaFeed, Booking, Channel, PublishedFeed
from icalbridge.sync.exporter import refresh_agenda_feed
from icalbridge.sync.imports_now import import_now
from tests.conftest import FIXTURE_FEEDS
from tests.support.feed_server import FeedServer
from tests.support.hub import new_channel, new_unit

pytestmark = pytest.mark.django_db(transaction=True)

FEEDS = {
    "airbnb": "airbnb_guest_details.ics",
    "abritel": "abritel_guest_names.ics",
    "google": "google_attendees_and_location.ics",
}
# Everything in those feeds that tells who the guests are or how to reach them.
GUEST_DATA = [
    "Reservation URL",
    "HMK7Q2Z9WB",
    "1234",
    "Phone Number",
    "Jean Dupont",
    "Dupont",
    "Margaux",
    "Lefèvre",
    "Lef\\u00e8vre",
    "sophie.martin.guest",
    "pierre.durand",
    "example.net",
    "example.org",
    "Martin",
    "Lilas",
    "Orléans",
    "4471",
    "mailto:",
    "ATTENDEE",
    "ORGANIZER",
    "LOCATION",
]


@pytest.fixture(autouse=True)
def _loopback(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    monkeypatch.setattr(probe_limits, "_limiter", ProbeLimiter(max_failures=0, block_s=0))
    serving._recorded.clear()


def _feed_with_dates_to_come(name: str) -> bytes:
    # The fixtures are dated 2027; shifting the year keeps them to come whatever the day.
    return (
        (FIXTURE_FEEDS / name).read_bytes().replace(b"2027", str(timezone.now().year + 1).encode())
    )


def _served_text(feed: PublishedFeed) -> str:
    serving._recorded.clear()
    response = Client().get(feed.path)
    assert response.status_code == 200
    return response.content.decode()


def test_guest_details_of_imported_feeds_reach_no_export_and_no_agenda_feed(
    feed_server: FeedServer,
) -> None:
    unit = new_unit()
    channels: list[Channel] = []
    for platform, name in FEEDS.items():
        feed_server.serve(f"/{platform}.ics", _feed_with_dates_to_come(name))
        channels.append(
            new_channel(unit, platform, platform, url=feed_server.url(f"/{platform}.ics"))
        )
    channels.append(new_channel(unit, "Booking.com", "booking", direction="export"))
    for channel in channels[:3]:
        import_now(channel.pk, wait_s=30.0)
    imported = Booking.objects.filter(unit=unit, origin__isnull=False, cancelled_at__isnull=True)
    # Five stays, each one carrying guest data: the test is void if they were not imported.
    assert imported.count() == 5
    # The hub keeps the summaries for the host's own eyes; only exports must not carry them.
    assert imported.filter(summary__contains="Jean Dupont").exists()
    agenda = AgendaFeed.objects.create(
        user=unit.organization.memberships.get().user, organization=unit.organization, name="All"
    )
    PublishedFeed.objects.create(agenda=agenda)
    refresh_agenda_feed(agenda)
    served = {f"export of {c.name}": _served_text(c.feed) for c in channels}
    served["agenda feed"] = _served_text(PublishedFeed.objects.get(agenda=agenda))
    booking_export = served["export of Booking.com"]
    assert booking_export.count("BEGIN:VEVENT") == 5
    leaks = {where: [s for s in GUEST_DATA if s in text] for where, text in served.items()}
    assert leaks == {where: [] for where in served}
