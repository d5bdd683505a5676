"""The pages a host sees most, filled as after a season, photographed for the host guides."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.platforms import all_platforms
from icalbridge.core.spans import Nights
from icalbridge.hub.models import Booking, Channel, HeldChange, ImportRun, Unit
from icalbridge.sync.conflict_tracking import update_unit_conflicts
from icalbridge.sync.exporter import refresh_unit_feeds
from tests.web.conftest import PASSWORD, make_org, shoot, switch_language
from tests.web.test_host_journey import airbnb_feed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _earlier_today(unit: Unit, minutes: int) -> datetime:
    """Return a moment ``minutes`` ago, or just after midnight where the unit is if that was
    yesterday there: the pages say "at 10:42" for today and "on 7 Dec" for other days."""
    now = timezone.now()
    midnight = now.astimezone(unit.zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - timedelta(minutes=minutes), midnight + (now - midnight) / 2)


def _channel(unit: Unit, name: str, platform: str, direction: str, **facts: Any) -> Channel:
    defaults: dict[str, Any] = {"import_url": ""}
    if direction != "export":
        defaults.update(
            import_url=f"https://www.{platform}.example/calendar/ical/{unit.pk}8812.ics",
            last_success_at=_earlier_today(unit, 23),
            last_attempt_at=_earlier_today(unit, 23),
            events_read=7,
        )
    if direction != "import":
        defaults.update(
            last_export_fetch_at=_earlier_today(unit, 41),
            last_export_fetch_by=f"{name} (calendar sync)",
        )
    defaults.update(facts)
    return Channel.objects.create(
        unit=unit, name=name, platform=platform, direction=direction, **defaults
    )


def _stay(unit: Unit, origin: Channel, start: date, nights: int, summary: str = "Reserved") -> None:
    Booking.objects.create(
        unit=unit,
        kind="reserved",
        origin=origin,
        remote_uid=f"{origin.pk}-{start}@{origin.platform}.example",
        summary=summary,
        start_date=start,
        end_date=start + timedelta(days=nights),
    )


def a_season(today: date) -> Any:
    """Three units, seven channels, one double booking, one held change, one failing feed."""
    host = make_org("claire@gites-du-moulin.fr", "Gîtes du Moulin")
    first = today.replace(day=1)
    day = timedelta(days=1)
    tilleuls = Unit.objects.create(organization=host.organization, name="Gîte des Tilleuls")
    airbnb = _channel(tilleuls, "Airbnb", "airbnb", "both")
    booking = _channel(tilleuls, "Booking.com", "booking", "both", events_read=4)
    _channel(tilleuls, "Abritel", "abritel", "export", last_export_fetch_at=None)
    gdf = _channel(
        tilleuls,
        "Gîtes de France",
        "gites-de-france",
        "import",
        consecutive_failures=3,
        last_success_at=timezone.now() - timedelta(days=2),
        last_error_code="http_error",
        last_error_params={"variant": "not_found", "status": "404"},
        last_error_message="The server answered 404: the link is wrong or was reset.",
    )
    for offset, nights in ((2, 4), (9, 3), (19, 6)):
        _stay(tilleuls, airbnb, first + offset * day, nights)
    for offset, nights in ((6, 2), (13, 4)):
        _stay(tilleuls, booking, first + offset * day, nights, "CLOSED - Not available")
    _stay(tilleuls, gdf, first + 26 * day, 3, "Location M. et Mme")
    create_local_booking(
        tilleuls,
        span=Nights(first + 24 * day, first + 26 * day),
        kind=Kind.UNAVAILABLE,
        category="travaux",
        channel_ids=[booking.pk],
    )
    create_local_booking(
        tilleuls, span=Nights(first + 17 * day, first + 19 * day), kind=Kind.TENTATIVE
    )
    for hours_ago, outcome, added in (
        (0.4, "applied", 1),
        (3.4, "unchanged", 0),
        (6.4, "applied", 2),
    ):
        ImportRun.objects.create(
            channel=airbnb,
            started_at=timezone.now() - timedelta(hours=hours_ago),
            finished_at=timezone.now() - timedelta(hours=hours_ago),
            outcome=outcome,
            events_read=7,
            added=added,
            http_status=200,
        )

    grange = Unit.objects.create(organization=host.organization, name="La Grange")
    g_airbnb = _channel(grange, "Airbnb", "airbnb", "both")
    g_booking = _channel(grange, "Booking.com", "booking", "both")
    # Ahead of today, whatever the day of the month: stays already over are no new conflict.
    _stay(grange, g_airbnb, today + 3 * day, 4)
    _stay(grange, g_booking, today + 5 * day, 3, "CLOSED - Not available")
    update_unit_conflicts(grange, timezone.now())
    HeldChange.objects.create(
        channel=g_airbnb,
        reason="mass_cancel",
        fingerprint="0" * 64,
        body=b"",
        would_cancel=[
            {
                "id": "a",
                "start": f"{first + 40 * day}",
                "end": f"{first + 44 * day}",
                "kind": "reserved",
                "summary": "Reserved",
            },
            {
                "id": "b",
                "start": f"{first + 47 * day}",
                "end": f"{first + 50 * day}",
                "kind": "reserved",
                "summary": "Reserved",
            },
            {
                "id": "c",
                "start": f"{first + 55 * day}",
                "end": f"{first + 62 * day}",
                "kind": "reserved",
                "summary": "Reserved",
            },
        ],
    )
    port = Unit.objects.create(organization=host.organization, name="Studio du Port")
    _channel(port, "Google Agenda", "google", "export")
    for unit in (tilleuls, grange, port):
        refresh_unit_feeds(unit)
    return host, tilleuls


def log_in(page: Any) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Adresse e-mail").fill("claire@gites-du-moulin.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Vos logements").wait_for()


def test_the_dashboard_grid_and_channel_dialog_show_a_season_at_a_glance(
    page: Any, feed_server: Any, allow_local_feeds: None
) -> None:
    today = date.today()
    _host, tilleuls = a_season(today)
    feed_server.serve("/airbnb.ics", airbnb_feed(today))
    page.goto("/accounts/signup/")
    shoot(page, "signup")
    log_in(page)

    attention = page.locator(".attention")
    assert "Double réservation" in attention.inner_text()
    assert "Changement en attente" in attention.inner_text()
    assert "Calendrier en échec" in attention.inner_text()
    # Worst first: the unit with a double booking leads.
    assert page.locator(".unit-card h2").first.inner_text() == "La Grange"
    shoot(page, "dashboard")

    page.goto(f"/units/{tilleuls.public_id}/")
    assert page.locator("tr.own .bar.kind-tentative").count() == 1
    shoot(page, "unit-grid")

    page.goto("/planning/")
    assert page.locator("tr.unit-row").count() == 3
    shoot(page, "planning")

    page.goto(f"/units/{tilleuls.public_id}/channels/")
    assert page.locator(".platform-card").count() == len(all_platforms())
    shoot(page, "channel-pick")

    page.goto("/agenda-feeds/")
    page.get_by_label("Nom").fill("Planning ménage")
    page.get_by_label("Réservé", exact=True).check()
    page.get_by_role("button", name="Créer le lien").click()
    assert page.locator("[data-agenda-url]").input_value().endswith(".ics")
    shoot(page, "agenda-feeds")

    page.goto(f"/units/{tilleuls.public_id}/channels/new/airbnb/")
    page.get_by_label("Le lien du calendrier de la plateforme").fill(feed_server.url("/airbnb.ics"))
    page.locator("#link-check .check-ok").wait_for()
    shoot(page, "channel-dialog")

    airbnb = tilleuls.channels.get(platform="airbnb")
    page.goto(f"/channels/{airbnb.public_id}/")
    assert page.locator("[data-export-url]").input_value().endswith(".ics")
    shoot(page, "channel-status")

    page.goto(f"/units/{tilleuls.public_id}/")
    page.locator("tr.own .day-pick").nth(3).click()
    page.locator("tr.own .day-pick").nth(5).click()
    page.locator("#booking-dialog").get_by_label("Airbnb").uncheck()
    shoot(page, "booking-dialog", full_page=False)

    conflict = tilleuls.organization.units.get(name="La Grange").conflicts.get()
    page.goto(f"/conflicts/{conflict.pk}/")
    assert page.locator(".side").count() == 2
    shoot(page, "conflict")
    page.goto(f"/units/{conflict.unit.public_id}/")
    assert page.locator(".bar.is-conflict").count() == 2
    expect(page.locator(".banner-error").get_by_text("Double réservation")).to_be_visible()
    shoot(page, "unit-grid-conflict")

    # The same pages for the English guide.
    switch_language(page, "EN")
    page.goto("/")
    expect(page.get_by_role("heading", name="Your units")).to_be_visible()
    shoot(page, "dashboard.en")
    page.goto(f"/units/{tilleuls.public_id}/")
    shoot(page, "unit-grid.en")
    page.goto("/planning/")
    shoot(page, "planning.en")
    page.goto(f"/units/{tilleuls.public_id}/channels/new/booking/")
    shoot(page, "channel-dialog.en")
    page.goto(f"/channels/{airbnb.public_id}/")
    shoot(page, "channel-status.en")
    page.goto(f"/conflicts/{conflict.pk}/")
    shoot(page, "conflict.en")
    switch_language(page, "FR")

    page.set_viewport_size(PHONE)
    page.goto("/")
    shoot(page, "dashboard-phone")
    page.goto(f"/units/{tilleuls.public_id}/")
    shoot(page, "unit-grid-phone")
    page.goto("/planning/")
    shoot(page, "planning-phone")
    page.goto(f"/units/{tilleuls.public_id}/channels/new/booking/")
    shoot(page, "channel-dialog-phone")
    page.goto(f"/channels/{airbnb.public_id}/")
    shoot(page, "channel-status-phone")
    switch_language(page, "EN")
    page.goto("/planning/")
    shoot(page, "planning-phone.en")
