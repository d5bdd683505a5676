"""Faults the booking-platform simulation found in the engine, each reproduced here first."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from icalbridge import clock
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.feeds import serving
from icalbridge.hub.models import Channel, PublishedFeed
from icalbridge.sync.local_bookings import create_local_booking
from tests.support.hub import days_from_today, new_channel, new_unit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_fetch_records() -> None:
    serving._recorded.clear()


@pytest.fixture
def virtual_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "clock"
    clock.set_virtual_now(path, timezone.now())
    monkeypatch.setenv(clock.CLOCK_FILE_VARIABLE, str(path))
    return path


def test_two_fetches_hours_apart_in_hub_time_are_both_recorded(virtual_clock: Path) -> None:
    unit = new_unit()
    airbnb = new_channel(unit, "Airbnb", "airbnb", direction="export")
    create_local_booking(
        unit, span=Nights(days_from_today(4), days_from_today(8)), kind=Kind.RESERVED
    )
    path = PublishedFeed.objects.get(channel=airbnb).path
    Client().get(path, HTTP_USER_AGENT="Airbnb")
    # Three hours pass on the hub's clock, a few milliseconds on the machine's: a platform
    # polling every three hours must still count as two fetches (rule 8 counts fetches).
    clock.set_virtual_now(virtual_clock, clock.now() + timedelta(hours=3))
    Client().get(path, HTTP_USER_AGENT="Airbnb")
    airbnb = Channel.objects.get(pk=airbnb.pk)
    assert airbnb.export_fetch_count == 2
    assert len(airbnb.served_history) == 2
