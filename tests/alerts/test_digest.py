"""A person who chose the daily digest gets one e-mail a day, except for double bookings."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from icalbridge.alerts.deliver import deliver_due_alerts
from icalbridge.hub.models import Alert, AlertCause, Channel, Membership, Role, Unit, UserPreference
from tests.alerts.conftest import Inbox, double_booking, new_host, parts_of

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")
# 15:00 in Paris: today's 07:00 digest has gone, the next is tomorrow at 07:00.
AFTERNOON = datetime(2026, 11, 21, 15, 0, tzinfo=PARIS)
NEXT_MORNING = datetime(2026, 11, 22, 7, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _digest_at_seven(settings: Any) -> None:
    settings.ICALBRIDGE_DIGEST_HOUR = 7
    settings.TIME_ZONE = "Europe/Paris"


def digest_reader() -> Any:
    organization = new_host("marie@example.test", "fr")
    user = get_user_model().objects.create_user(
        username="paul@example.test", email="paul@example.test", password="a-long-password-1"
    )
    Membership.objects.create(user=user, organization=organization, role=Role.MANAGER)
    UserPreference.objects.create(user=user, language="en", digest=True)
    return organization


def failing_alert(organization: Any, at: datetime) -> None:
    unit = Unit.objects.create(organization=organization, name="Gîte des Lilas")
    channel = Channel.objects.create(unit=unit, name="Airbnb", platform="airbnb")
    Alert.objects.create(
        organization=organization, cause=AlertCause.FAILING, channel=channel, created_at=at
    )


def test_a_digest_reader_gets_failures_the_next_morning_in_one_email(inbox: Inbox) -> None:
    organization = digest_reader()
    failing_alert(organization, AFTERNOON)

    deliver_due_alerts(AFTERNOON)
    assert inbox.to("paul@example.test") == []
    assert len(inbox.to("marie@example.test")) == 1
    assert deliver_due_alerts(NEXT_MORNING - timedelta(minutes=1)) == 0

    assert deliver_due_alerts(NEXT_MORNING) == 1
    (digest,) = inbox.to("paul@example.test")
    text, html = parts_of(digest)
    assert str(digest["Subject"]).strip() == "[icalbridge] Your daily summary: 1 alert"
    assert 'Gîte des Lilas: "Airbnb" is failing' in text and "/channels/" in html
    assert deliver_due_alerts(NEXT_MORNING + timedelta(hours=1)) == 0


def test_a_double_booking_reaches_a_digest_reader_at_once(inbox: Inbox) -> None:
    organization = digest_reader()
    double_booking(organization, AFTERNOON)

    assert deliver_due_alerts(AFTERNOON) == 2
    (message,) = inbox.to("paul@example.test")
    assert "double booking" in str(message["Subject"])
    assert deliver_due_alerts(NEXT_MORNING) == 0
