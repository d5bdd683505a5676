"""Each alert cause reaches the people who can fix it once, in their language, with a link."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from icalbridge.alerts.deliver import deliver_due_alerts
from icalbridge.hub.models import Channel, Conflict, HeldChange, Role, Unit
from icalbridge.sync.importer import import_channel
from tests.alerts.conftest import Inbox, SmtpServer, add_member, new_host, parts_of
from tests.support.feed_server import FeedServer
from tests.support.hub import Stay, airbnb_feed, booking_com_feed, days_from_today, new_channel

pytestmark = pytest.mark.django_db(transaction=True)

MARIE = "marie@example.test"  # the owner, reads French
JOHN = "john@example.test"  # a manager, reads English
VERA = "vera@example.test"  # a viewer: cannot fix anything, so is not told
STAYS = [
    Stay("1418fb94e984-aaaa@airbnb.com", days_from_today(3), days_from_today(7)),
    Stay("1418fb94e984-bbbb@airbnb.com", days_from_today(10), days_from_today(14)),
]
EMPTY_FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN\r\nEND:VCALENDAR\r\n"


@pytest.fixture(autouse=True)
def _loopback_feeds(settings: Any) -> None:
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    settings.ICALBRIDGE_FETCH_TIMEOUT_S = 2
    settings.ICALBRIDGE_FAILURES_BEFORE_ERROR = 3
    settings.ICALBRIDGE_STALE_AFTER_HOURS = 24


@pytest.fixture
def now() -> datetime:
    return timezone.now()


@pytest.fixture
def airbnb(feed_server: FeedServer, smtp: SmtpServer, now: datetime) -> Channel:
    """An Airbnb channel of the Gîte des Lilas, imported once, in Marie's organization."""
    organization = new_host(MARIE, "fr")
    add_member(organization, JOHN, Role.MANAGER, "en")
    add_member(organization, VERA, Role.VIEWER, "en")
    unit = Unit.objects.create(organization=organization, name="Gîte des Lilas")
    feed_server.serve("/airbnb.ics", airbnb_feed(STAYS))
    channel = new_channel(unit, "Airbnb", "airbnb", url=feed_server.url("/airbnb.ics"))
    assert import_channel(channel.pk, now=now).outcome == "applied"
    return channel


def channel_link(channel: Channel) -> str:
    return f"https://hub.example.test/channels/{channel.public_id}/"


def fail_imports(channel: Channel, feed_server: FeedServer, start: datetime, count: int) -> None:
    feed_server.fault("/airbnb.ics", "status", code=500)
    for i in range(count):
        assert import_channel(channel.pk, now=start + timedelta(minutes=i)).outcome == "failed"


def only_message(inbox: Inbox, address: str) -> tuple[str, str, str]:
    """Return the subject, text and HTML of the one message sent to an address."""
    messages = inbox.to(address)
    assert len(messages) == 1, [m["Subject"] for m in messages]
    text, html = parts_of(messages[0])
    return str(messages[0]["Subject"]).strip(), text, html


def test_a_first_import_alerts_nobody(airbnb: Channel, inbox: Inbox, now: datetime) -> None:
    assert deliver_due_alerts(now) == 0
    assert inbox.messages == []


def test_a_failing_channel_is_told_once_in_each_persons_language(
    airbnb: Channel, feed_server: FeedServer, inbox: Inbox, now: datetime
) -> None:
    fail_imports(airbnb, feed_server, now + timedelta(minutes=1), 3)

    assert deliver_due_alerts(now + timedelta(minutes=5)) == 2

    subject, text, html = only_message(inbox, MARIE)
    assert subject == "[icalbridge] Gîte des Lilas : « Airbnb » est en échec"
    assert "a échoué 3 imports de suite" in text and "HTTP" not in subject
    assert channel_link(airbnb) in text and f'href="{channel_link(airbnb)}"' in html
    assert '<html lang="fr">' in html
    subject, text, html = only_message(inbox, JOHN)
    assert subject == '[icalbridge] Gîte des Lilas: "Airbnb" is failing'
    assert "failed 3 imports in a row" in text and "500" in text
    assert f'href="{channel_link(airbnb)}"' in html
    assert inbox.to(VERA) == []


def test_a_channel_that_keeps_failing_is_not_told_again(
    airbnb: Channel, feed_server: FeedServer, inbox: Inbox, now: datetime
) -> None:
    fail_imports(airbnb, feed_server, now + timedelta(minutes=1), 3)
    deliver_due_alerts(now + timedelta(minutes=5))

    assert deliver_due_alerts(now + timedelta(minutes=6)) == 0
    fail_imports(airbnb, feed_server, now + timedelta(hours=1), 5)
    assert deliver_due_alerts(now + timedelta(hours=2)) == 0
    assert deliver_due_alerts(now + timedelta(hours=30)) == 0
    assert len(inbox.messages) == 2


def test_a_recovered_channel_sends_one_back_to_normal_message(
    airbnb: Channel, feed_server: FeedServer, inbox: Inbox, now: datetime
) -> None:
    fail_imports(airbnb, feed_server, now + timedelta(minutes=1), 3)
    deliver_due_alerts(now + timedelta(minutes=5))
    inbox.clear()

    feed_server.clear_fault("/airbnb.ics")
    assert import_channel(airbnb.pk, now=now + timedelta(minutes=10)).outcome != "failed"
    assert deliver_due_alerts(now + timedelta(minutes=11)) == 2
    assert deliver_due_alerts(now + timedelta(minutes=12)) == 0

    subject, text, _ = only_message(inbox, MARIE)
    assert "fonctionne de nouveau" in subject and channel_link(airbnb) in text
    subject, text, _ = only_message(inbox, JOHN)
    assert "is back to normal" in subject and channel_link(airbnb) in text


def test_a_failure_that_heals_before_the_error_threshold_alerts_nobody(
    airbnb: Channel, feed_server: FeedServer, inbox: Inbox, now: datetime
) -> None:
    fail_imports(airbnb, feed_server, now + timedelta(minutes=1), 2)
    feed_server.clear_fault("/airbnb.ics")
    import_channel(airbnb.pk, now=now + timedelta(minutes=10))

    assert deliver_due_alerts(now + timedelta(minutes=11)) == 0
    assert inbox.messages == []


def test_a_held_mass_removal_asks_for_a_decision(
    airbnb: Channel, feed_server: FeedServer, inbox: Inbox, now: datetime
) -> None:
    feed_server.serve("/airbnb.ics", EMPTY_FEED)
    assert import_channel(airbnb.pk, now=now + timedelta(minutes=1)).outcome == "held"
    held = HeldChange.objects.get(channel=airbnb)

    assert deliver_due_alerts(now + timedelta(minutes=2)) == 2
    assert deliver_due_alerts(now + timedelta(minutes=3)) == 0

    count = len(held.would_cancel)
    subject, text, html = only_message(inbox, MARIE)
    assert "attendent votre décision" in subject
    assert f"supprimerait {count} réservations" in text and channel_link(airbnb) in html
    subject, text, _ = only_message(inbox, JOHN)
    assert "wait for your decision" in subject
    assert f"would remove {count} bookings" in text and channel_link(airbnb) in text


def test_a_double_booking_is_told_at_once_with_its_dates_and_both_bookings(
    airbnb: Channel, feed_server: FeedServer, inbox: Inbox, now: datetime
) -> None:
    overlapping = Stay("BK-77", days_from_today(5), days_from_today(8))
    feed_server.serve("/booking.ics", booking_com_feed([overlapping]))
    booking = new_channel(
        airbnb.unit, "Booking.com", "booking", url=feed_server.url("/booking.ics")
    )
    import_channel(booking.pk, now=now + timedelta(minutes=1))
    conflict = Conflict.objects.get(unit=airbnb.unit)

    assert deliver_due_alerts(now + timedelta(minutes=1)) == 2
    assert deliver_due_alerts(now + timedelta(minutes=2)) == 0

    link = f"https://hub.example.test/conflicts/{conflict.pk}/"
    subject, text, html = only_message(inbox, MARIE)
    assert subject.startswith("[icalbridge] Gîte des Lilas : double réservation du ")
    assert f"{conflict.start:%d/%m/%Y}" in subject and "Airbnb" in text and "Booking.com" in text
    assert link in text and f'href="{link}"' in html
    subject, text, html = only_message(inbox, JOHN)
    assert subject == (
        f"[icalbridge] Gîte des Lilas: double booking from {conflict.start:%Y-%m-%d}"
        f" to {conflict.end:%Y-%m-%d}"
    )
    assert link in text and f'href="{link}"' in html


def test_a_channel_without_success_for_a_day_is_told_once_then_its_recovery(
    airbnb: Channel, feed_server: FeedServer, inbox: Inbox, now: datetime
) -> None:
    assert deliver_due_alerts(now + timedelta(hours=23)) == 0

    assert deliver_due_alerts(now + timedelta(hours=25)) == 2
    assert deliver_due_alerts(now + timedelta(hours=26)) == 0
    subject, text, _ = only_message(inbox, JOHN)
    assert "has not synchronised for a long time" in subject and channel_link(airbnb) in text
    subject, _, _ = only_message(inbox, MARIE)
    assert "ne se synchronise plus" in subject
    inbox.clear()

    import_channel(airbnb.pk, now=now + timedelta(hours=27))
    assert deliver_due_alerts(now + timedelta(hours=27)) == 2
    assert "is back to normal" in only_message(inbox, JOHN)[0]
    assert deliver_due_alerts(now + timedelta(hours=28)) == 0


def test_after_a_long_outage_old_flips_are_not_mailed_but_the_lasting_trouble_is(
    airbnb: Channel, feed_server: FeedServer, inbox: Inbox, now: datetime
) -> None:
    fail_imports(airbnb, feed_server, now + timedelta(minutes=1), 3)
    feed_server.clear_fault("/airbnb.ics")

    assert deliver_due_alerts(now + timedelta(days=2)) == 2

    subject, _, _ = only_message(inbox, JOHN)
    assert "has not synchronised for a long time" in subject
