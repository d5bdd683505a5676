"""A platform that stops reading our link, or does not block our dates, is told once; so is its recovery."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from icalbridge import clock
from icalbridge.alerts.deliver import deliver_due_alerts
from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.feeds import serving
from icalbridge.feeds.fetch_records import fetch_recorder
from icalbridge.hub.models import Channel, PublishedFeed, Role, Unit, WebhookTarget
from icalbridge.sync.importer import import_channel
from tests.alerts.conftest import Inbox, SmtpServer, add_member, new_host
from tests.alerts.receiver import WebhookReceiver
from tests.alerts.test_mail_alerts import JOHN, MARIE, STAYS, only_message
from tests.support.feed_server import FeedServer
from tests.support.hub import Stay, airbnb_feed, days_from_today, new_channel

pytestmark = pytest.mark.django_db(transaction=True)
H = timedelta(hours=1)


@pytest.fixture
def virtual_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any) -> Path:
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    serving._recorded.clear()
    path = tmp_path / "clock"
    # Eight in the morning, the units' time, whatever the hour the suite runs: a new day is
    # an instant at which the export side is looked at again.
    morning = datetime.combine(timezone.localdate(), time(8), timezone.get_current_timezone())
    clock.set_virtual_now(path, morning)
    monkeypatch.setenv(clock.CLOCK_FILE_VARIABLE, str(path))
    return path


@pytest.fixture
def airbnb(feed_server: FeedServer, smtp: SmtpServer, virtual_clock: Path) -> Channel:
    organization = new_host(MARIE, "fr")
    add_member(organization, JOHN, Role.MANAGER, "en")
    unit = Unit.objects.create(organization=organization, name="Gîte des Lilas")
    feed_server.serve("/airbnb.ics", airbnb_feed(STAYS))
    channel = new_channel(unit, "Airbnb", "airbnb", url=feed_server.url("/airbnb.ics"))
    assert import_channel(channel.pk).outcome == "applied"
    return channel


def later(path: Path, by: timedelta) -> None:
    clock.set_virtual_now(path, clock.now() + by)


def platform_fetches(channel: Channel) -> None:
    path = PublishedFeed.objects.get(channel=channel).path
    assert Client().get(path, HTTP_USER_AGENT="Airbnb/1.0").status_code == 200
    fetch_recorder.flush()  # recorded, as the hub's writer does within a second


def test_a_platform_that_stops_reading_is_told_once_then_its_recovery(
    airbnb: Channel, inbox: Inbox, virtual_clock: Path
) -> None:
    for _ in range(3):
        later(virtual_clock, 3 * H)
        platform_fetches(airbnb)
    assert deliver_due_alerts(clock.now()) == 0
    later(virtual_clock, 25 * H)
    import_channel(airbnb.pk)
    assert deliver_due_alerts(clock.now()) == 2
    subject, text, _ = only_message(inbox, MARIE)
    assert subject == "[icalbridge] Gîte des Lilas : Airbnb ne lit plus votre lien"
    assert "ne lit plus le lien d'export" in text
    subject, text, _ = only_message(inbox, JOHN)
    assert subject == "[icalbridge] Gîte des Lilas: Airbnb no longer reads your link"
    assert Channel.objects.get(pk=airbnb.pk).export_reason == "export_not_fetched"
    # Still silent a day later, now an error: the same cause, no second alert.
    later(virtual_clock, 48 * H)
    import_channel(airbnb.pk)
    assert deliver_due_alerts(clock.now()) == 0
    inbox.clear()
    platform_fetches(airbnb)
    later(virtual_clock, H)
    assert deliver_due_alerts(clock.now()) == 2
    subject, _, _ = only_message(inbox, JOHN)
    assert subject == "[icalbridge] Gîte des Lilas: Airbnb reads your link again"


def test_dates_a_platform_reads_and_does_not_block_are_named_once(
    airbnb: Channel, inbox: Inbox, virtual_clock: Path, receiver: WebhookReceiver
) -> None:
    WebhookTarget.objects.create(organization=airbnb.unit.organization, url=receiver.url())
    create_local_booking(
        airbnb.unit, span=Nights(days_from_today(20), days_from_today(23)), kind=Kind.RESERVED
    )
    later(virtual_clock, H)
    platform_fetches(airbnb)
    later(virtual_clock, 3 * H)
    platform_fetches(airbnb)
    import_channel(airbnb.pk)
    assert deliver_due_alerts(clock.now()) == 0  # within the grace period
    later(virtual_clock, 4 * H)
    import_channel(airbnb.pk)
    assert deliver_due_alerts(clock.now()) == 3  # two e-mails and a webhook
    subject, text, html = only_message(inbox, MARIE)
    assert subject == "[icalbridge] Gîte des Lilas : Airbnb ne bloque pas vos dates"
    start, end = days_from_today(20), days_from_today(23)
    assert f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}" in text
    assert f"<li>du {start:%d/%m/%Y} au {end:%d/%m/%Y}</li>" in html
    _, text, _ = only_message(inbox, JOHN)
    assert f"{start:%Y-%m-%d} to {end:%Y-%m-%d}" in text
    (posted,) = receiver.received
    body = json.loads(posted.body)
    assert body["event"] == "export_not_applied"
    assert body["export"]["reason"] == "export_not_applied"
    assert body["export"]["not_applied"] == [{"start": start.isoformat(), "end": end.isoformat()}]
    later(virtual_clock, H)
    import_channel(airbnb.pk)
    assert deliver_due_alerts(clock.now()) == 0


def test_the_worker_looks_again_when_a_fact_arrives_or_time_alone_can_change_the_verdict(
    airbnb: Channel, virtual_clock: Path
) -> None:
    def export_side() -> tuple[str, str, object]:
        channel = Channel.objects.get(pk=airbnb.pk)
        return channel.export_state, channel.export_reason, channel.export_checked_at

    deliver_due_alerts(clock.now())
    first = export_side()
    assert first[:2] == ("never", "export_never_fetched")
    # Nothing new, and Airbnb's first-fetch window (6 h) still open: nothing to derive.
    later(virtual_clock, 5 * H)
    deliver_due_alerts(clock.now())
    assert export_side() == first
    # The window closes: time alone changed the verdict, and the worker looks then.
    later(virtual_clock, 2 * H)
    deliver_due_alerts(clock.now())
    assert export_side() == ("warning", "export_never_fetched", clock.now())
    # A fetch is a new fact: seen at the next round, not at the next threshold.
    later(virtual_clock, H)
    platform_fetches(airbnb)
    deliver_due_alerts(clock.now())
    assert export_side() == ("ok", "ok", clock.now())
    # Once the platform got this version twice, fetching it again changes nothing while ok.
    later(virtual_clock, H)
    platform_fetches(airbnb)
    deliver_due_alerts(clock.now())
    twice = export_side()
    assert twice == ("ok", "ok", clock.now())
    later(virtual_clock, H)
    platform_fetches(airbnb)
    deliver_due_alerts(clock.now())
    assert export_side() == twice


def test_measured_delays_reach_metrics_and_the_operator_page(
    airbnb: Channel, feed_server: FeedServer, virtual_clock: Path
) -> None:
    stay = Nights(days_from_today(20), days_from_today(23))
    create_local_booking(airbnb.unit, span=stay, kind=Kind.RESERVED)
    for hours in (1, 3, 3):
        later(virtual_clock, hours * H)
        platform_fetches(airbnb)
    # Eight hours after the stay entered our feed, Airbnb's own feed shows it blocked.
    later(virtual_clock, H)
    echo = Stay("echo-1@airbnb.com", stay.start, stay.end, "Airbnb (Not available)")
    feed_server.serve("/airbnb.ics", airbnb_feed([*STAYS, echo]))
    import_channel(airbnb.pk)
    deliver_due_alerts(clock.now())

    metrics = Client().get("/metrics").content.decode()
    line = 'icalbridge_export_delay_seconds{{platform="airbnb",measure="{}",quantile="{}"}} {}'
    assert line.format("read_interval", "0.5", 3 * 3600) in metrics
    assert line.format("read_delay", "0.5", 3600) in metrics
    assert line.format("applied_delay", "0.5", 8 * 3600) in metrics
    assert (
        'icalbridge_export_problem_channels{platform="airbnb",problem="not_applying"} 0' in metrics
    )
    user = get_user_model().objects.create_user(
        username="ops@example.test", password="a-long-password-1", is_staff=True
    )
    staff = Client()
    staff.force_login(user)
    page = staff.get("/operator/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = page[page.index('data-platform="airbnb"') :].split("</tr>", 1)[0]
    assert "<td>3 h / 3 h</td>" in row and "<td>8 h / 8 h</td>" in row


def test_two_platforms_not_blocking_in_one_round_are_one_email_naming_each_ones_dates(
    airbnb: Channel, feed_server: FeedServer, inbox: Inbox, virtual_clock: Path
) -> None:
    other = Unit.objects.create(organization=airbnb.unit.organization, name="Mas des Oliviers")
    feed_server.serve("/mas.ics", airbnb_feed(STAYS))
    mas = new_channel(other, "Airbnb", "airbnb", url=feed_server.url("/mas.ics"))
    assert import_channel(mas.pk).outcome == "applied"
    stays = {
        airbnb.pk: Nights(days_from_today(20), days_from_today(23)),
        mas.pk: Nights(days_from_today(30), days_from_today(32)),
    }
    for channel in (airbnb, mas):
        create_local_booking(channel.unit, span=stays[channel.pk], kind=Kind.RESERVED)
    for hours in (1, 3):
        later(virtual_clock, hours * H)
        for channel in (airbnb, mas):
            platform_fetches(channel)
            import_channel(channel.pk)
    assert deliver_due_alerts(clock.now()) == 0  # within the grace period
    later(virtual_clock, 4 * H)
    for channel in (airbnb, mas):
        import_channel(channel.pk)
    assert deliver_due_alerts(clock.now()) == 2  # one e-mail each for Marie and John
    subject, text, html = only_message(inbox, MARIE)
    assert subject == "[icalbridge] 2 alertes en même temps : Gîte des Lilas, Mas des Oliviers"
    assert "- Gîte des Lilas : Airbnb ne bloque pas vos dates" in text
    assert "- Mas des Oliviers : Airbnb ne bloque pas vos dates" in text
    for stay in stays.values():
        dates = f"non bloquées : du {stay.start:%d/%m/%Y} au {stay.end:%d/%m/%Y}"
        assert dates in text and f"<li>{dates}</li>" in html
    _, text, _ = only_message(inbox, JOHN)
    for stay in stays.values():
        assert f"not blocked: {stay.start:%Y-%m-%d} to {stay.end:%Y-%m-%d}" in text
