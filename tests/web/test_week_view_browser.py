"""A music school plans its week in a real browser: by mouse, by keyboard alone, on a phone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override
from playwright.sync_api import expect

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.hub.models import Booking, Channel, Unit
from icalbridge.sync.conflict_tracking import update_unit_conflicts
from tests.web.conftest import PASSWORD, make_org, shoot, switch_language
from tests.web.test_week_view import imported_lesson, lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
ACTIVE_LABEL = "() => document.activeElement.getAttribute('aria-label') || ''"
IN_GRID = "() => !!document.activeElement.closest('table[data-agenda-grid]')"


def a_school_week() -> tuple[Unit, Unit, date]:
    """Two rooms of a music school and their week: lessons, a choir, a closure, a double booking."""
    school = make_org("accueil@ecole-musique.test", "École de musique des Tilleuls")
    debussy = Unit.objects.create(
        organization=school.organization, name="Salle Debussy", booked_by_the_hour=True
    )
    hall = Unit.objects.create(
        organization=school.organization, name="Auditorium", booked_by_the_hour=True
    )
    monday = timezone.now().astimezone(debussy.zone).date()
    monday -= timedelta(days=monday.weekday())
    day = timedelta(days=1)
    lesson(debussy, monday, time(9), time(10), "piano")
    lesson(debussy, monday, time(10), time(11), "piano")
    lesson(debussy, monday + day, time(10), time(11), "violon")
    lesson(debussy, monday + day, time(10, 30), time(11, 30), "alto")
    lesson(debussy, monday + 2 * day, time(14), time(16), "chorale", kind=Kind.TENTATIVE)
    lesson(debussy, monday + 3 * day, time(17, 30), time(18, 15), "solfège")
    teacher = Channel.objects.create(
        unit=debussy, name="Agenda de Mme Roux", platform="google", direction="import"
    )
    imported_lesson(
        teacher, datetime.combine(monday + 3 * day, time(18), debussy.zone), timedelta(hours=1)
    )
    update_unit_conflicts(debussy, datetime.combine(monday, time(7), debussy.zone))
    create_local_booking(
        hall,
        span=Nights(monday + 4 * day, monday + 6 * day),
        kind=Kind.UNAVAILABLE,
        category="travaux",
    )
    lesson(hall, monday + 2 * day, time(18), time(20), "orchestre")
    lesson(hall, monday, time(10), time(12), "répétition")
    return debussy, hall, monday


def _log_in(page: Any) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Adresse e-mail").fill("accueil@ecole-musique.test")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def _cell(page: Any, words: str) -> Any:
    return page.locator(f'td[data-cell][aria-label^="{words}"]')


def _heading(day: date) -> str:
    with override("fr"):
        return date_format(day, "l j F")


def test_a_week_is_planned_with_the_keyboard_alone(page: Any) -> None:
    debussy, _hall, monday = a_school_week()
    _log_in(page)
    page.goto(f"/units/{debussy.public_id}/")
    page.wait_for_url("**/week/")
    page.locator(".tblock").first.wait_for()
    shoot(page, "week")

    # Tab lands on the grid once, and the next Tab leaves it.
    page.locator(".hours-toggle a").focus()
    page.keyboard.press("Tab")
    assert page.evaluate(IN_GRID)
    assert page.evaluate("() => document.activeElement.tagName") == "TD"
    page.keyboard.press("Tab")
    assert not page.evaluate(IN_GRID)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(IN_GRID)

    # The arrows move between hours and days; Home goes to Monday.
    page.keyboard.press("Home")
    for _ in range(30):
        page.keyboard.press("ArrowUp")
    assert page.evaluate(ACTIVE_LABEL).startswith(f"{_heading(monday)}, toute la journée")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(ACTIVE_LABEL) == f"{_heading(monday)}, 10:00 : piano, Réservé, 10:00–11:00"
    page.keyboard.press("ArrowRight")
    tuesday = page.evaluate(ACTIVE_LABEL)
    assert "violon" in tuesday and "alto" in tuesday

    # Two lessons share the hour: Enter offers both, and a way to add; Escape comes back.
    page.keyboard.press("Enter")
    choices = page.locator("#slot-dialog")
    choices.wait_for(state="visible")
    assert choices.locator("a.chip").count() == 2
    expect(choices.get_by_role("button", name="Ajouter une réservation ici")).to_be_visible()
    page.keyboard.press("Escape")
    choices.wait_for(state="hidden")
    assert page.evaluate(ACTIVE_LABEL) == tuesday

    # A free hour: Enter opens the booking form at that hour; the week comes back, focused.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    wednesday = monday + timedelta(days=2)
    assert page.evaluate(ACTIVE_LABEL) == f"{_heading(wednesday)}, 09:00 : libre"
    page.keyboard.press("Enter")
    form = page.locator("#booking-dialog")
    form.wait_for(state="visible")
    assert form.get_by_label("Heure de début").input_value() == "09:00"
    assert form.get_by_label("Heure de fin").input_value() == "10:00"
    shoot(page, "week-add", full_page=False)
    form.get_by_label("Catégorie").fill("ensemble")
    with page.expect_navigation():
        form.get_by_label("Catégorie").press("Enter")
    page.wait_for_function(IN_GRID)
    assert page.evaluate(ACTIVE_LABEL) == (
        f"{_heading(wednesday)}, 09:00 : ensemble, Réservé, 09:00–10:00"
    )

    # Enter on it opens the booking: move it an hour later, then cancel it.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_label("Heure de début").fill("11:00")
    page.get_by_label("Heure de fin").fill("12:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_function(IN_GRID)
    moved = Booking.objects.get(category="ensemble")
    assert moved.start_at == datetime.combine(wednesday, time(11), debussy.zone)
    assert _cell(page, f"{_heading(wednesday)}, 11:00 : ensemble").count() == 1
    _cell(page, f"{_heading(wednesday)}, 11:00 : ensemble").locator("a.tblock").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Annuler cette réservation").click()
    assert _cell(page, f"{_heading(wednesday)}, 11:00 : libre").count() == 1
    assert not Booking.objects.get(category="ensemble").is_active

    # Page Down shows the next week with the same hour of the same day in focus.
    _cell(page, f"{_heading(wednesday)}, 11:00").focus()
    with page.expect_navigation():
        page.keyboard.press("PageDown")
    page.wait_for_function(IN_GRID)
    later = wednesday + timedelta(days=7)
    assert page.evaluate(ACTIVE_LABEL) == f"{_heading(later)}, 11:00 : libre"
    page.keyboard.press("Home")
    with page.expect_navigation():
        page.keyboard.press("ArrowLeft")
    page.wait_for_function(IN_GRID)
    sunday = monday + timedelta(days=6)
    assert page.evaluate(ACTIVE_LABEL) == f"{_heading(sunday)}, 11:00 : libre"


def test_lessons_are_drawn_on_their_hours_side_by_side_and_a_double_booking_stands_out(
    page: Any,
) -> None:
    debussy, _hall, monday = a_school_week()
    _log_in(page)
    page.goto(f"/units/{debussy.public_id}/week/")
    piano = _cell(page, f"{_heading(monday)}, 10:00").locator(".tblock")
    hour = _cell(page, f"{_heading(monday)}, 10:00").bounding_box()
    box = piano.bounding_box()
    assert abs(box["y"] - hour["y"]) < 3 and abs(box["height"] - hour["height"]) < 4
    tuesday = _cell(page, f"{_heading(monday + timedelta(days=1))}, 10:00")
    violin, viola = (b.bounding_box() for b in tuesday.locator(".tblock").all())
    assert violin["width"] < tuesday.bounding_box()["width"] / 2
    assert viola["x"] >= violin["x"] + violin["width"] - 1
    assert abs((viola["y"] - violin["y"]) - hour["height"] / 2) < 3
    thursday = monday + timedelta(days=3)
    assert page.locator(".tblock.is-conflict").count() == 2
    assert "double réservation" in _cell(page, f"{_heading(thursday)}, 18:00").get_attribute(
        "aria-label"
    )

    page.goto("/agenda/week/")
    shoot(page, "agenda-week")
    page.locator("table.planning td[data-cell][tabindex='0']").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    assert page.evaluate(ACTIVE_LABEL).startswith("Salle Debussy, ")
    page.goto("/agenda/day/")
    shoot(page, "agenda-day")

    switch_language(page, "EN")
    page.goto(f"/units/{debussy.public_id}/week/")
    expect(page.get_by_role("heading", name="Week of")).to_be_visible()
    shoot(page, "week.en")
    page.goto("/agenda/week/")
    shoot(page, "agenda-week.en")
    switch_language(page, "FR")


def test_on_a_phone_the_day_fits_and_the_week_scrolls_inside_its_frame(page: Any) -> None:
    debussy, _hall, monday = a_school_week()
    _log_in(page)
    page.set_viewport_size(PHONE)
    overflow = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    frame = "() => { const f = document.querySelector('.agenda-scroll'); return f.scrollWidth - f.clientWidth; }"

    page.goto(f"/units/{debussy.public_id}/day/?date={monday + timedelta(days=1)}")
    assert page.evaluate(overflow) <= 0 and page.evaluate(frame) <= 0
    violin = page.locator(".tblock").first.bounding_box()
    assert violin["width"] > 100  # two lessons side by side stay readable
    shoot(page, "day-phone")

    page.goto(f"/units/{debussy.public_id}/week/?date={monday}")
    assert page.evaluate(overflow) <= 0 and page.evaluate(frame) > 0
    page.locator(".agenda-bar").scroll_into_view_if_needed()
    page.evaluate(
        "() => window.scrollBy(0, document.querySelector('.agenda-bar').getBoundingClientRect().top - 8)"
    )
    shoot(page, "week-phone", full_page=False)
    # A tap on a free hour opens the form there.
    _cell(page, f"{_heading(monday)}, 12:00 : libre").click()
    form = page.locator("#booking-dialog")
    form.wait_for(state="visible")
    assert form.get_by_label("Heure de début").input_value() == "12:00"
    form.get_by_role("button", name="Annuler").click()

    page.goto(f"/agenda/week/?date={monday}")
    assert page.evaluate(overflow) <= 0
    shoot(page, "agenda-week-phone")
