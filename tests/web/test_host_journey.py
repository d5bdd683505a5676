"""A new host's first evening, in a real browser: from sign-up to a block on one channel."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from django.core import mail
from playwright.sync_api import expect

from icalbridge.web.month_grid import shifted_month
from tests.web.conftest import PASSWORD, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def airbnb_feed(today: date) -> bytes:
    """An Airbnb-style export: two reservations and one host block, all to come."""

    def event(uid: str, start: date, end: date, summary: str, description: str = "") -> str:
        lines = [
            "BEGIN:VEVENT",
            f"DTSTAMP:{today:%Y%m%d}T060000Z",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{end:%Y%m%d}",
            f"UID:{uid}@airbnb.com",
        ]
        if description:
            lines.append(f"DESCRIPTION:{description}")
        lines += [f"SUMMARY:{summary}", "END:VEVENT"]
        return "\r\n".join(lines)

    day = timedelta(days=1)
    events = [
        event(
            "1418fb94e984-5a1e0c2ba3b1c7c8d8d2f0a1b2c3d4e5",
            today + 10 * day,
            today + 14 * day,
            "Reserved",
            "Reservation URL: https://www.airbnb.com/hosting/reservations/details/HMQ4T7N2XK\\n"
            "Phone Number (Last 4 Digits): 4821",
        ),
        event(
            "1418fb94e984-77f0e1d2c3b4a5968778695a4b3c2d1e",
            today + 20 * day,
            today + 23 * day,
            "Reserved",
            "Reservation URL: https://www.airbnb.com/hosting/reservations/details/HMZ8W2C6PL\\n"
            "Phone Number (Last 4 Digits): 1907",
        ),
        event(
            "7f3c9a2b1d0e-aa11bb22cc33dd44ee55ff6677889900",
            today + 40 * day,
            today + 45 * day,
            "Airbnb (Not available)",
        ),
    ]
    body = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN",
            "CALSCALE:GREGORIAN",
            "VERSION:2.0",
            *events,
            "END:VCALENDAR",
            "",
        ]
    )
    return body.encode()


def _export_link(page: Any) -> str:
    return page.locator("[data-export-url]").input_value()


def _open_channel(page: Any, unit_name: str, channel: str) -> None:
    page.goto("/")
    page.get_by_role("link", name=unit_name).first.click()
    page.get_by_role("link", name=channel).first.click()


def test_a_new_host_connects_two_platforms_and_closes_one_for_a_week(
    page: Any, feed_server: Any, allow_local_feeds: None
) -> None:
    today = date.today()
    feed_server.serve("/airbnb/listing-8812.ics", airbnb_feed(today))

    # Sign up: French by default.
    page.goto("/accounts/signup/")
    expect(page.get_by_role("heading", name="Créer un compte")).to_be_visible()
    page.get_by_label("Adresse e-mail").fill("claire@gites-du-moulin.fr")
    page.get_by_label("Nom de votre activité").fill("Gîtes du Moulin")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.get_by_role("heading", name="Consultez vos e-mails").wait_for()
    # The account opens from the link e-mailed to the address.
    (welcome,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/signup/confirm/\S+/", welcome.body)
    assert link, welcome.body
    page.goto(link.group(0))
    page.get_by_role("button", name="Ouvrir mon compte").click()

    # A unit: the new account's first step.
    page.wait_for_url(re.compile(r"/units/new/$"))
    page.get_by_label("Nom").fill("Gîte des Tilleuls")
    page.get_by_role("button", name="Créer le logement").click()
    page.wait_for_url(re.compile(r"/channels/$"))

    # Airbnb, both ways; the pasted link is checked at once.
    page.get_by_role("link", name="Airbnb").click()
    expect(page.get_by_text("Exporter le calendrier").first).to_be_visible()
    page.get_by_label("Le lien du calendrier de la plateforme").fill(
        feed_server.url("/airbnb/listing-8812.ics")
    )
    check = page.locator("#link-check")
    check.get_by_text("C'est bien un calendrier").wait_for()
    assert "3 événements lus" in check.inner_text()
    page.get_by_role("button", name="Connecter", exact=True).click()
    page.wait_for_url(re.compile(r"/channels/[0-9a-f-]+/$"))

    # Connecting imported it at once; "Import now" reads it again, unchanged, in place. Our
    # link names this hub's local address, which Airbnb cannot reach: said at once.
    expect(page.locator("#import-side .dot-ok")).to_be_visible()
    sent = page.locator("#export-side")
    assert sent.get_attribute("data-export-reason") == "export_unreachable_address"
    assert "ICALBRIDGE_PUBLIC_URL" in sent.inner_text()
    page.get_by_role("button", name="Importer maintenant").click()
    result = page.locator("[data-import-outcome]")
    result.wait_for()
    assert result.get_attribute("data-import-outcome") == "unchanged"
    assert "3 événements lus" in result.inner_text()
    page.locator("#status-card").get_by_text("À jour : 3 événements lus.").wait_for()
    airbnb_link = _export_link(page)

    # The stays are on the grid, in the Airbnb row.
    stay = today + timedelta(days=10)
    page.get_by_role("link", name="Gîte des Tilleuls").first.click()
    page.get_by_role("link", name="Calendrier").first.click()
    page.goto(page.url.split("?")[0] + f"?month={stay:%Y-%m}")
    airbnb_row = page.locator("tr.chan", has=page.get_by_role("link", name="Airbnb", exact=True))
    assert airbnb_row.locator(".bar.kind-reserved:not(.is-sent)").count() >= 1

    # Booking.com, export only.
    page.get_by_role("link", name="Canaux").first.click()
    page.get_by_role("link", name="Booking.com").click()
    page.get_by_label("Export seulement : la plateforme lit notre lien").check()
    page.get_by_role("button", name="Connecter", exact=True).click()
    page.wait_for_url(re.compile(r"/channels/[0-9a-f-]+/$"))
    booking_link = _export_link(page)

    # A block "only on Booking.com", picked on the grid: first night, then last night.
    month = shifted_month(today, 2)
    page.get_by_role("link", name="Gîte des Tilleuls").first.click()
    page.goto(page.url.split("?")[0].replace("/channels/", "/") + f"?month={month:%Y-%m}")
    own = page.locator("tr.own")
    own.locator(f"[data-date='{month:%Y-%m}-10']").click()
    own.locator(f"[data-date='{month:%Y-%m}-12']").click()
    dialog = page.locator("#booking-dialog")
    dialog.get_by_label("Indisponible").wait_for()
    assert dialog.get_by_label("Du (arrivée)").input_value() == f"{month:%Y-%m}-10"
    assert dialog.get_by_label("Au (départ)").input_value() == f"{month:%Y-%m}-13"
    dialog.get_by_label("Indisponible").check()
    dialog.get_by_label("Catégorie").fill("travaux")
    assert dialog.get_by_label("Booking.com").is_checked()
    dialog.get_by_label("Airbnb").uncheck()
    dialog.get_by_role("button", name="Ajouter", exact=True).click()
    page.locator("tr.own .bar.kind-unavailable").wait_for()
    booking_row = page.locator(
        "tr.chan", has=page.get_by_role("link", name="Booking.com", exact=True)
    )
    assert booking_row.locator(".bar.is-sent", has_text="Mon calendrier").count() == 1
    airbnb_row = page.locator("tr.chan", has=page.get_by_role("link", name="Airbnb", exact=True))
    assert airbnb_row.locator(".bar", has_text="Mon calendrier").count() == 0

    # What each platform reads from us.
    block_start = f"DTSTART;VALUE=DATE:{month:%Y%m}10"
    booking_feed = httpx.get(booking_link).text
    assert block_start in booking_feed
    assert f"DTSTART;VALUE=DATE:{stay:%Y%m%d}" in booking_feed  # Airbnb's stay, passed on
    assert "HMQ4T7N2XK" not in booking_feed  # no guest data travels
    airbnb_feed_text = httpx.get(airbnb_link).text
    assert "BEGIN:VCALENDAR" in airbnb_feed_text
    assert block_start not in airbnb_feed_text

    # Reset Booking.com's link: the old one dies at once.
    _open_channel(page, "Gîte des Tilleuls", "Booking.com")
    page.get_by_role("link", name="Réinitialiser le lien").click()
    expect(page.get_by_text("cesse de fonctionner")).to_be_visible()
    page.get_by_role("button", name="Oui, créer un nouveau lien").click()
    new_link = _export_link(page)
    assert new_link != booking_link
    assert httpx.get(booking_link).status_code == 404
    assert block_start in httpx.get(new_link).text

    # English on demand, and back.
    switch_language(page, "EN")
    assert page.get_by_role("button", name="Import now").count() == 0  # export-only channel
    expect(page.get_by_text("Our link for this platform")).to_be_visible()
    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.get_by_role("heading", name="Your units")).to_be_visible()
    switch_language(page, "FR")
    expect(page.get_by_role("heading", name="Vos logements")).to_be_visible()
