"""Every field has a label, focus is visible, and a block can be added with the keyboard alone."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from icalbridge.hub.models import Booking
from tests.web.conftest import PASSWORD
from tests.web.test_screenshots import a_season

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby') && !(el.textContent || '').trim())
  .map(el => el.outerHTML.slice(0, 120))"""


def _log_in(page: Any) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Adresse e-mail").fill("claire@gites-du-moulin.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("heading", name="Vos logements").wait_for()


def _type_date(page: Any, label: str, day: date) -> None:
    """Type a date as a person does; the field's order follows the browser's own language."""
    field = page.get_by_label(label)
    for order in ("%m%d%Y", "%d%m%Y"):
        field.focus()
        page.keyboard.type(day.strftime(order))
        if field.input_value() == day.isoformat():
            return
    raise AssertionError(f"could not type {day} into {label}")


def test_every_field_of_the_host_pages_has_a_label(page: Any) -> None:
    _host, unit = a_season(date.today())
    page.goto("/accounts/signup/")
    assert page.evaluate(UNLABELLED) == []
    _log_in(page)
    channel = unit.channels.get(platform="airbnb")
    for path in (
        "/",
        f"/units/{unit.public_id}/",
        f"/units/{unit.public_id}/week/",
        "/agenda/week/",
        "/agenda/day/",
        f"/units/{unit.public_id}/bookings/new/",
        f"/units/{unit.public_id}/channels/new/booking/",
        f"/units/{unit.public_id}/edit/",
        f"/channels/{channel.public_id}/",
        f"/channels/{channel.public_id}/edit/",
        "/agenda-feeds/",
        "/members/",
    ):
        page.goto(path)
        assert page.evaluate(UNLABELLED) == [], path


def test_a_block_is_added_with_the_keyboard_alone_and_focus_stays_visible(page: Any) -> None:
    _host, unit = a_season(date.today())
    _log_in(page)
    page.goto(f"/units/{unit.public_id}/")
    page.locator("#add-booking").focus()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url("**/bookings/new/")

    start = date.today() + timedelta(days=70)
    page.get_by_label("Indisponible").focus()
    page.keyboard.press("Space")
    _type_date(page, "Du (arrivée)", start)
    _type_date(page, "Au (départ)", start + timedelta(days=2))
    page.get_by_label("Catégorie").focus()
    page.keyboard.type("famille")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/units/{unit.public_id}/?month=*")
    block = Booking.objects.get(category="famille")
    assert (block.kind, block.start_date, block.end_date) == (
        "unavailable",
        start,
        start + timedelta(days=2),
    )


def test_the_month_grid_is_one_tab_stop_and_the_arrows_move_by_day(page: Any) -> None:
    _host, unit = a_season(date.today())
    _log_in(page)
    # Next month: the host's own row is free, whatever today's date.
    month = (date.today().replace(day=28) + timedelta(days=7)).replace(day=1)
    page.goto(f"/units/{unit.public_id}/?month={month:%Y-%m}")
    grid = page.get_by_role("grid")

    page.get_by_role("button", name="Aujourd'hui").focus()
    page.keyboard.press("Tab")
    first = f"{month:%Y-%m-%d}"
    assert page.evaluate("() => document.activeElement.dataset.first") == first
    assert grid.locator("[tabindex='0']").count() == 1
    # One Tab more leaves the grid, however many days and channels it shows.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !document.activeElement.closest('table')")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.dataset.first") == first

    # The 12th: eleven arrows, where 28 Tab presses reached it before.
    for _ in range(11):
        page.keyboard.press("ArrowRight")
    twelfth = month.replace(day=12)
    assert page.evaluate("() => document.activeElement.dataset.first") == f"{twelfth:%Y-%m-%d}"
    assert grid.locator(".dayhead.is-cursor").get_attribute("data-date") == f"{twelfth:%Y-%m-%d}"
    page.keyboard.press("ArrowDown")
    row = page.evaluate("() => document.activeElement.closest('tr').textContent")
    assert "Abritel" in row  # the first channel's row, the same day
    page.keyboard.press("ArrowUp")
    page.keyboard.press("End")
    last = page.evaluate("() => document.activeElement.dataset.first")
    assert last == grid.locator(".dayhead").last.get_attribute("data-date")
    page.keyboard.press("Home")
    for _ in range(11):
        page.keyboard.press("ArrowRight")

    # Enter opens the day's booking form, starting that day.
    page.keyboard.press("Enter")
    dialog = page.locator("#booking-dialog")
    dialog.get_by_label("Du (arrivée)").wait_for()
    assert dialog.get_by_label("Du (arrivée)").input_value() == f"{twelfth:%Y-%m-%d}"
    assert (
        dialog.get_by_label("Au (départ)").input_value()
        == f"{twelfth + timedelta(days=1):%Y-%m-%d}"
    )
    page.keyboard.press("Escape")

    # Page Down: the month after, on the same day and row.
    grid.locator("[tabindex='0']").focus()
    with page.expect_navigation():
        page.keyboard.press("PageDown")
    after = (month + timedelta(days=40)).replace(day=12)
    page.wait_for_function(f"() => document.activeElement.dataset.first === '{after:%Y-%m-%d}'")
