"""No alert is sent twice, and none is lost when a worker dies or the mail server is down."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from icalbridge.alerts.causes import collect_alerts
from icalbridge.alerts.deliver import deliver_due_alerts
from icalbridge.alerts.outbox import LEASE, claim_due_alerts
from icalbridge.commands.worker import Scheduler
from icalbridge.hub.models import AlertDelivery, DeliveryStatus, Role
from tests.alerts.conftest import (
    Inbox,
    SmtpServer,
    add_member,
    double_booking,
    new_host,
    parts_of,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def now() -> datetime:
    return timezone.now()


def test_two_workers_never_claim_the_same_alert(smtp: SmtpServer, now: datetime) -> None:
    double_booking(new_host("marie@example.test", "fr"), now)
    collect_alerts(now)

    first = claim_due_alerts(now, "worker-a")
    second = claim_due_alerts(now, "worker-b")

    assert len(first) == 1 and second == []


def test_an_alert_abandoned_by_a_dead_worker_is_sent_once_after_its_lease(
    inbox: Inbox, now: datetime
) -> None:
    organization = new_host("marie@example.test", "fr")
    add_member(organization, "john@example.test", Role.MANAGER, "en")
    double_booking(organization, now)
    collect_alerts(now)
    assert len(claim_due_alerts(now, "worker-killed-while-sending")) == 1

    assert deliver_due_alerts(now + timedelta(minutes=1)) == 0
    assert inbox.messages == []

    assert deliver_due_alerts(now + LEASE + timedelta(seconds=1)) == 2
    assert deliver_due_alerts(now + LEASE + timedelta(minutes=1)) == 0
    assert len(inbox.to("marie@example.test")) == 1
    assert len(inbox.to("john@example.test")) == 1


def test_an_alert_waits_for_the_mail_server_and_goes_out_once_when_it_is_back(
    smtp: SmtpServer, now: datetime
) -> None:
    double_booking(new_host("marie@example.test", "fr"), now)
    smtp.stop()

    assert deliver_due_alerts(now) == 0
    failed = AlertDelivery.objects.get()
    assert failed.status == DeliveryStatus.FAILED and failed.error
    assert failed.next_attempt_at == now + timedelta(minutes=1)

    smtp.start()
    assert deliver_due_alerts(now + timedelta(seconds=30)) == 0
    assert deliver_due_alerts(now + timedelta(minutes=1, seconds=1)) == 1
    assert deliver_due_alerts(now + timedelta(minutes=5)) == 0
    assert len(smtp.inbox.to("marie@example.test")) == 1
    attempts = AlertDelivery.objects.order_by("attempt")
    assert [(d.attempt, d.status) for d in attempts] == [
        (1, DeliveryStatus.FAILED),
        (2, DeliveryStatus.SENT),
    ]


def test_the_workers_tick_sends_the_due_alerts(inbox: Inbox) -> None:
    double_booking(new_host("marie@example.test", "fr"), timezone.now())

    Scheduler("worker-a", tick_s=1).tick()

    assert len(inbox.to("marie@example.test")) == 1


@pytest.mark.postgres
def test_workers_sending_at_the_same_time_send_each_alert_once(inbox: Inbox, now: datetime) -> None:
    organization = new_host("marie@example.test", "fr")
    conflicts = [double_booking(organization, now, name=f"Studio {i}") for i in range(6)]
    start = threading.Barrier(3)

    def work() -> None:
        start.wait()
        try:
            deliver_due_alerts(now)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    # Alerts a worker claims together go out as one e-mail, so 1 to 3 messages; each
    # double booking is in exactly one of them.
    messages = inbox.to("marie@example.test")
    assert 1 <= len(messages) <= 3
    texts = "".join(parts_of(message)[0] for message in messages)
    for conflict in conflicts:
        assert texts.count(f"/conflicts/{conflict.pk}/") == 1
    assert AlertDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 6
