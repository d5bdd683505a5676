"""Two hostile feeds make dozens of double bookings at once: one e-mail per person lists them.

Before: one e-mail per double booking, to each person (issue 20, item 8: hundreds of
"booked twice" e-mails in seconds). Mail goes to a real SMTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from icalbridge.alerts.deliver import deliver_due_alerts
from icalbridge.hub.models import AlertDelivery, Conflict, Role, Unit
from icalbridge.sync.importer import import_channel
from tests.alerts.conftest import Inbox, SmtpServer, add_member, new_host, parts_of
from tests.alerts.receiver import WebhookReceiver
from tests.support.feed_server import FeedServer
from tests.support.hub import Stay, airbnb_feed, booking_com_feed, days_from_today, new_channel

pytestmark = pytest.mark.django_db(transaction=True)

MARIE = "marie@example.test"  # the owner, reads French
JOHN = "john@example.test"  # a manager, reads English
VERA = "vera@example.test"  # a viewer: told nothing
# More than one claim batch (50), so that the whole burst must be gathered into one round.
STAYS = 60


@pytest.fixture(autouse=True)
def _loopback_feeds(settings: Any) -> None:
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"


def hostile_burst(feed_server: FeedServer, now: datetime) -> Unit:
    """Import two feeds that sell the same 60 nights: 60 double bookings in one go."""
    organization = new_host(MARIE, "fr")
    add_member(organization, JOHN, Role.MANAGER, "en")
    add_member(organization, VERA, Role.VIEWER, "en")
    unit = Unit.objects.create(organization=organization, name="Gîte des Lilas")
    nights = [(days_from_today(2 * i + 1), days_from_today(2 * i + 2)) for i in range(STAYS)]
    feed_server.serve(
        "/airbnb.ics",
        airbnb_feed([Stay(f"hostile-a-{i}@airbnb.com", s, e) for i, (s, e) in enumerate(nights)]),
    )
    feed_server.serve(
        "/booking.ics", booking_com_feed([Stay(f"BK-{i}", s, e) for i, (s, e) in enumerate(nights)])
    )
    for name, platform, path in (
        ("Airbnb", "airbnb", "/airbnb.ics"),
        ("Booking.com", "booking", "/booking.ics"),
    ):
        channel = new_channel(unit, name, platform, url=feed_server.url(path))
        assert import_channel(channel.pk, now=now).outcome == "applied"
    assert Conflict.objects.filter(unit=unit).count() == STAYS
    return unit


def test_a_burst_of_double_bookings_is_one_email_per_person_listing_them_all(
    feed_server: FeedServer, smtp: SmtpServer, inbox: Inbox
) -> None:
    now = timezone.now()
    unit = hostile_burst(feed_server, now)

    assert deliver_due_alerts(now) == 2
    assert deliver_due_alerts(now + timedelta(minutes=1)) == 0

    (to_marie,) = inbox.to(MARIE)
    (to_john,) = inbox.to(JOHN)
    assert inbox.to(VERA) == []
    assert (
        str(to_marie["Subject"]).strip()
        == f"[icalbridge] {STAYS} alertes en même temps : Gîte des Lilas"
    )
    assert (
        str(to_john["Subject"]).strip().strip()
        == f"[icalbridge] {STAYS} alerts at once: Gîte des Lilas"
    )
    french_text, french_html = parts_of(to_marie)
    english_text, english_html = parts_of(to_john)
    for conflict in Conflict.objects.filter(unit=unit):
        link = f"https://hub.example.test/conflicts/{conflict.pk}/"
        assert link in french_text and f'href="{link}"' in french_html
        assert link in english_text and f'href="{link}"' in english_html
        assert f"double réservation du {conflict.start:%d/%m/%Y}" in french_text
        assert f"double booking from {conflict.start:%Y-%m-%d}" in english_text
    assert french_text.count("double réservation du") == STAYS
    assert english_text.count("double booking from") == STAYS
    assert "rien n'a été annulé" in french_text
    # Each double booking is still told once to each person, and recorded so.
    assert AlertDelivery.objects.filter(kind="email", status="sent").count() == 2 * STAYS


def test_the_same_burst_imported_again_tells_nobody_again(
    feed_server: FeedServer, smtp: SmtpServer, inbox: Inbox
) -> None:
    now = timezone.now()
    unit = hostile_burst(feed_server, now)
    deliver_due_alerts(now)
    inbox.clear()
    for channel in unit.channels.all():
        import_channel(channel.pk, now=now + timedelta(minutes=15))
    assert deliver_due_alerts(now + timedelta(minutes=16)) == 0
    assert inbox.messages == []


def test_each_double_booking_of_a_burst_keeps_its_own_webhook_post(
    feed_server: FeedServer, smtp: SmtpServer, inbox: Inbox, receiver: WebhookReceiver
) -> None:
    now = timezone.now()
    unit = hostile_burst(feed_server, now)
    unit.organization.webhooks.create(url=receiver.url("/hook"))
    deliver_due_alerts(now)
    events = [json.loads(request.body) for request in receiver.received]
    assert len(events) == STAYS
    assert {event["event"] for event in events} == {"double_booking"}
    assert len({event["id"] for event in events}) == STAYS
