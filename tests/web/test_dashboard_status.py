"""The dashboard's dot for a channel tells the same state as the grid and the channel page."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.utils import timezone

from icalbridge.hub.models import Unit
from tests.web.conftest import new_channel

pytestmark = pytest.mark.django_db


def channel_rows(html: str) -> dict[str, str]:
    """Return each dashboard channel dot's state word, by channel name."""
    dots = re.findall(
        r'<li title="[^"]*">\s*<span class="dot dot-(\w+)"[^>]*></span>\s*<a [^>]*>([^<]+)</a>',
        html,
    )
    return {name: state for state, name in dots}


def test_a_platform_that_stops_reading_our_link_turns_the_dashboard_dot_orange(
    client: Any, unit: Unit, settings: Any
) -> None:
    settings.PUBLIC_URL = "https://hub.gites-du-moulin.fr"
    now = timezone.now()
    read = now - timedelta(minutes=12)
    # Its own calendar is read fine; Airbnb last fetched our link 30 hours ago.
    airbnb = new_channel(
        unit,
        "Airbnb",
        "airbnb",
        last_success_at=read,
        last_attempt_at=read,
        events_read=2,
        last_export_fetch_at=now - timedelta(hours=30),
    )
    new_channel(
        unit,
        "Booking.com",
        "booking",
        last_success_at=read,
        last_attempt_at=read,
        events_read=1,
        last_export_fetch_at=now - timedelta(hours=1),
    )
    page = client.get("/").content.decode()
    assert channel_rows(page) == {"Airbnb": "warning", "Booking.com": "ok"}
    # The dot's title says why, as the channel page does; the import itself is not failing.
    why = re.search(r'<li title="([^"]*)">\s*<span class="dot dot-warning"', page)
    assert why is not None and "pas lu notre lien depuis" in unescape(why[1])
    assert "Calendrier en échec" not in page
    channel_page = client.get(f"/channels/{airbnb.public_id}/").content.decode()
    assert '<h2><span class="dot dot-warning"' in channel_page
