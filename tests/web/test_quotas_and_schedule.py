"""Channels made on the pages are imported on the hub's schedule, within the organization's quotas."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from icalbridge.hub.models import Channel, Unit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(host: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(host.owner)
    return client


def add_airbnb(client: Client, unit: Unit, listing: int = 123) -> Any:
    return client.post(
        reverse("channel_create", args=[unit.public_id, "airbnb"]),
        {
            "name": "Airbnb",
            "direction": "both",
            "import_url": f"https://www.airbnb.com/calendar/ical/{listing}.ics?s=abc",
            # Not fetched from the tests' machine: saved as a link that may work later.
            "confirm_import_url": "on",
            "import_mode": "everything",
            "floating_tz": "",
            "dtend": "checkout",
        },
    )


def test_a_channel_added_on_the_page_is_imported_at_once_and_polled_every_15_minutes(
    client: Client, host: Any
) -> None:
    unit = Unit.objects.create(organization=host.organization, name="Gîte")
    before = timezone.now()
    response = add_airbnb(client, unit)
    assert response.status_code == 302
    channel = Channel.objects.get(unit=unit)
    assert channel.last_attempt_at is not None and before <= channel.last_attempt_at
    assert channel.runs.count() == 1
    assert channel.next_poll_at is not None and channel.next_poll_at > channel.last_attempt_at
    assert channel.poll_interval_s == 15 * 60


def test_the_organization_s_channel_quota_is_enforced_with_a_clear_message(
    client: Client, host: Any
) -> None:
    host.organization.max_channels = 1
    host.organization.save()
    unit = Unit.objects.create(organization=host.organization, name="Gîte")
    assert add_airbnb(client, unit).status_code == 302
    refused = add_airbnb(client, unit, listing=124)
    assert refused.status_code == 200
    assert "at most 1 channel." in refused.content.decode()
    assert Channel.objects.filter(unit=unit).count() == 1


def test_the_organization_s_unit_quota_is_enforced_with_a_clear_message(
    client: Client, host: Any
) -> None:
    host.organization.max_units = 1
    host.organization.save()
    Unit.objects.create(organization=host.organization, name="Gîte")
    refused = client.post(
        reverse("unit_create"),
        {"name": "Studio", "timezone": "Europe/Paris", "check_in": "16:00", "check_out": "10:00"},
    )
    assert refused.status_code == 200
    assert "at most 1 unit." in refused.content.decode()
    assert Unit.objects.filter(organization=host.organization).count() == 1
