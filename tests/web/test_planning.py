"""The planning of every unit, and each channel row's status line on a unit's grid."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.hub.models import Channel, Unit
from icalbridge.sync.conflict_tracking import update_unit_conflicts
from tests.web.conftest import imported, new_channel

pytestmark = pytest.mark.django_db


def _row(page: str, name: str) -> str:
    """Return the planning row whose head names this unit."""
    found = re.search(
        r'<tr class="unit-row">((?:(?!</tr>).)*?' + re.escape(name) + r".*?)</tr>", page, re.S
    )
    assert found, f"no row for {name}"
    return found.group(1)


def test_the_planning_shows_every_unit_with_its_bookings_blocks_and_double_bookings(
    client: Client, host: Any
) -> None:
    month = (date.today().replace(day=28) + timedelta(days=7)).replace(day=1)
    tilleuls = Unit.objects.create(organization=host.organization, name="Gîte des Tilleuls")
    grange = Unit.objects.create(organization=host.organization, name="La Grange")
    Unit.objects.create(organization=host.organization, name="Studio du Port")
    airbnb = new_channel(tilleuls, "Airbnb", "airbnb")
    imported(tilleuls, airbnb, month + timedelta(days=3), 4)
    imported(tilleuls, airbnb, month + timedelta(days=9), 2, kind="unavailable", is_echo=True)
    create_local_booking(
        tilleuls,
        span=Nights(month + timedelta(days=20), month + timedelta(days=22)),
        kind=Kind.UNAVAILABLE,
        category="travaux",
    )
    g_airbnb, g_booking = (
        new_channel(grange, "Airbnb", "airbnb"),
        new_channel(grange, "Booking.com", "booking"),
    )
    imported(grange, g_airbnb, month + timedelta(days=5), 4)
    imported(grange, g_booking, month + timedelta(days=7), 3)
    update_unit_conflicts(grange, timezone.now())

    page = html.unescape(client.get(f"/planning/?month={month:%Y-%m}").content.decode())
    assert 'href="/planning/"' in page  # in the menu
    assert len(re.findall(r"<tr class=\"unit-row\">", page)) == 3
    tilleuls_row = _row(page, "Gîte des Tilleuls")
    assert tilleuls_row.count('class="bar ') == 2  # the stay and the works; never the echo
    assert "Airbnb (Réservé)" in tilleuls_row and "travaux" in tilleuls_row
    assert "is-conflict" not in tilleuls_row
    grange_row = _row(page, "La Grange")
    assert "is-conflict" in grange_row
    assert "Calendrier de" not in page and "Planning de" in page
    assert "Studio du Port" in _row(page, "Studio du Port")

    english = client.get(f"/planning/?month={month:%Y-%m}", HTTP_ACCEPT_LANGUAGE="en")
    assert "Planning of" in html.unescape(english.content.decode())


def test_the_dashboard_leads_to_the_planning_once_there_are_two_units(
    client: Client, host: Any
) -> None:
    Unit.objects.create(organization=host.organization, name="Gîte des Tilleuls")
    assert "Tous les logements sur un planning" not in client.get("/").content.decode()
    Unit.objects.create(organization=host.organization, name="La Grange")
    assert "Tous les logements sur un planning" in client.get("/").content.decode()


def test_each_channel_row_of_the_grid_says_when_it_was_imported_and_read(
    client: Client, host: Any
) -> None:
    unit = Unit.objects.create(organization=host.organization, name="Gîte des Tilleuls")
    now = timezone.now()
    new_channel(
        unit,
        "Airbnb",
        "airbnb",
        last_success_at=now,
        last_attempt_at=now,
        events_read=3,
        last_export_fetch_at=now - timedelta(days=3),
    )
    new_channel(
        unit,
        "Gîtes de France",
        "gites-de-france",
        last_attempt_at=now,
        consecutive_failures=3,
        last_error_code="http_error",
    )
    Channel.objects.create(unit=unit, name="Google Agenda", platform="google", direction="export")
    page = html.unescape(client.get(f"/units/{unit.public_id}/").content.decode())
    heads = dict(
        re.findall(
            r'class="rowtitle"[^>]*>([^<]+)</a>\s*<small class="rowfacts"[^>]*>(.*?)</small>',
            page,
            re.S,
        )
    )
    local = now.astimezone(unit.zone)
    assert f"importé à {local:%H:%M}" in heads["Airbnb"]
    assert "notre lien lu le " in heads["Airbnb"]
    assert "dot-" in heads["Airbnb"]
    assert f"échec de l'import à {local:%H:%M}" in heads["Gîtes de France"]
    assert "dot-error" in heads["Gîtes de France"]
    assert "importé" not in heads["Google Agenda"]
    assert "notre lien pas encore lu" in heads["Google Agenda"]
