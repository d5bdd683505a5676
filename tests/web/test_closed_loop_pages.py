"""The host sees whether each platform read and blocked what we sent: grid marks, channel page."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.hub.models import Channel, ExportFetch, ExportVersion, PlatformView, Unit
from tests.web.conftest import make_org, new_channel, shoot, switch_language
from tests.web.test_screenshots import PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def play_the_platform(
    channel: Channel, *, since: datetime, every: timedelta, applies_after: timedelta | None
) -> None:
    """Give a channel the history of a platform that read our link since ``since``.

    The versions served so far are dated ``since``; the platform fetched them every
    ``every`` until now and, unless ``applies_after`` is None, showed their nights as its
    blocks that long after they entered our feed.
    """
    now = timezone.now()
    versions = ExportVersion.objects.filter(channel=channel)
    versions.update(entered_at=since)
    at = since + every / 3
    etag = versions.order_by("-id").values_list("etag", flat=True).first() or ""
    while at < now:
        ExportFetch.objects.create(channel=channel, at=at, etag=etag, by="Platform/1.0")
        at += every
    Channel.objects.filter(pk=channel.pk).update(
        last_export_fetch_at=at - every, last_export_fetch_by=f"{channel.name} (calendar sync)"
    )
    PlatformView.objects.create(channel=channel, seen_at=since - timedelta(days=1), blocked=[])
    if applies_after is not None:
        nights = versions.order_by("-id").values_list("nights", flat=True).first() or []
        PlatformView.objects.create(channel=channel, seen_at=since + applies_after, blocked=nights)


def _channel(unit: Unit, name: str, platform: str) -> Channel:
    read = timezone.now() - timedelta(minutes=12)
    return new_channel(
        unit, name, platform, last_success_at=read, last_attempt_at=read, events_read=0
    )


def a_gite_with_two_platforms(today: date) -> tuple[Unit, Channel, Channel, Nights]:
    host = make_org("claire@gites-du-moulin.fr", "Gîtes du Moulin")
    unit = Unit.objects.create(organization=host.organization, name="Gîte des Lilas")
    airbnb = _channel(unit, "Airbnb", "airbnb")
    booking = _channel(unit, "Booking.com", "booking")
    stay = Nights(today + timedelta(days=3), today + timedelta(days=6))
    create_local_booking(unit, span=stay, kind=Kind.RESERVED, summary="Famille Martin")
    since = timezone.now() - timedelta(days=2)
    play_the_platform(
        airbnb, since=since, every=timedelta(hours=2, minutes=50), applies_after=timedelta(hours=3)
    )
    play_the_platform(booking, since=since, every=timedelta(hours=2), applies_after=None)
    return unit, airbnb, booking, stay


def test_the_grid_marks_what_each_platform_read_and_blocked_and_the_channel_page_says_it(
    page: Any,
) -> None:
    today = date.today()
    unit, airbnb, booking, stay = a_gite_with_two_platforms(today)
    log_in(page)

    page.goto(f"/units/{unit.public_id}/?month={stay.start:%Y-%m}")
    marks = page.locator(".bar.is-sent .mark")
    marks.first.wait_for()
    delivered = {m.get_attribute("data-delivery") for m in marks.all()}
    assert delivered == {"confirmed", "not_applied"}
    legend = page.locator(".legend-marks").inner_text()
    assert "lu et bloqué sur la plateforme" in legend
    assert "lu mais pas bloqué sur la plateforme" in legend
    shoot(page, "unit-grid-marks")

    page.goto(f"/channels/{booking.public_id}/")
    card = page.locator("#status-card")
    assert card.locator("h2").inner_text().strip() == "À vérifier"
    assert "Données récupérées de Booking.com" in card.locator("#import-side").inner_text()
    sent = card.locator("#export-side")
    assert "Données transmises à Booking.com" in sent.inner_text()
    assert "n'affiche pas ces dates comme bloquées" in sent.inner_text()
    assert f"{stay.start:%d/%m/%Y}" in sent.inner_text()
    assert sent.get_attribute("data-export-reason") == "export_not_applied"
    shoot(page, "channel-export-not-applied")

    page.goto(f"/channels/{airbnb.public_id}/")
    sent = page.locator("#export-side")
    assert sent.get_attribute("data-export-reason") == "ok"
    assert "Airbnb lit votre lien environ toutes les 2 h 50." in sent.inner_text()
    assert "Elle bloque les dates environ 3 h après votre modification" in sent.inner_text()
    shoot(page, "channel-export-side")

    switch_language(page, "EN")
    page.goto(f"/channels/{airbnb.public_id}/")
    sent = page.locator("#export-side")
    assert "Data sent to Airbnb" in sent.inner_text()
    assert "Airbnb reads your link about every 2 h 50." in sent.inner_text()
    shoot(page, "channel-export-side.en")
    page.goto(f"/units/{unit.public_id}/?month={stay.start:%Y-%m}")
    assert "read and blocked on the platform" in page.locator(".legend-marks").inner_text()
    shoot(page, "unit-grid-marks.en")
    switch_language(page, "FR")

    page.set_viewport_size(PHONE)
    page.goto(f"/channels/{booking.public_id}/")
    expect(page.locator("#export-side")).to_be_visible()
    shoot(page, "channel-export-not-applied-phone")
    page.goto(f"/units/{unit.public_id}/?month={stay.start:%Y-%m}")
    shoot(page, "unit-grid-marks-phone", full_page=False)
