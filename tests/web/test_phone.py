"""On a phone (390 × 844): the planning of every unit, the grid's row names and status
lines, the import history and the top menu, each whole on the screen or scrolled on purpose.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import switch_language
from tests.web.test_screenshots import PHONE, a_season, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Elements whose text is cut: wider or taller inside than the box that shows them.
CUT = """(selector) => [...document.querySelectorAll(selector)]
  .filter(el => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
  .map(el => el.textContent.trim())"""
# Elements that reach past the right edge of the screen.
OFF_SCREEN = """(selector) => [...document.querySelectorAll(selector)]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .map(el => el.textContent.trim().slice(0, 40))"""


def row_head(page: Any, channel: str) -> Any:
    """Return the head of a channel's row on a unit's grid."""
    return page.get_by_role("rowheader").filter(
        has=page.get_by_role("link", name=channel, exact=True)
    )


def test_a_host_reads_every_unit_and_each_channels_status_on_a_phone(page: Any) -> None:
    _host, tilleuls = a_season(date.today())
    log_in(page)
    page.set_viewport_size(PHONE)

    # The top menu wraps: every entry is on the screen, the planning among them.
    page.goto("/")
    assert page.evaluate(OFF_SCREEN, ".topbar a, .topbar button") == []
    page.locator(".mainnav").get_by_role("link", name="Planning").click()
    page.get_by_role("heading", name="Planning").wait_for()

    grid = page.get_by_role("grid")
    names = [n.strip() for n in grid.locator("tbody th").all_inner_texts()]
    assert names == ["Gîte des Tilleuls", "La Grange", "Studio du Port"]
    tilleuls_row = grid.locator("tr", has_text="Gîte des Tilleuls")
    assert tilleuls_row.locator(".bar.kind-unavailable").count() >= 1  # the works, a block
    assert tilleuls_row.locator(".bar.kind-reserved").count() >= 3
    assert page.evaluate(CUT, ".rowtitle") == []
    # Scrolled sideways, the unit names stay where they are.
    left = grid.locator("tbody th").first.bounding_box()["x"]
    page.locator(".grid-scroll").evaluate("el => el.scrollBy(600, 0)")
    page.wait_for_function("() => document.querySelector('.grid-scroll').scrollLeft > 0")
    assert grid.locator("tbody th").first.bounding_box()["x"] == left
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    # La Grange's double booking, in its own month whatever today's date.
    page.goto(f"/planning/?month={date.today() + timedelta(days=5):%Y-%m}")
    grange = page.get_by_role("grid").locator("tr", has_text="La Grange")
    assert grange.locator(".bar.is-conflict").count() >= 1

    # A unit's grid: each channel's name whole, with when it was imported and read.
    page.goto(f"/units/{tilleuls.public_id}/")
    assert page.evaluate(CUT, ".rowtitle") == []
    airbnb = row_head(page, "Airbnb")
    assert "importé à" in airbnb.inner_text() and "notre lien lu à" in airbnb.inner_text()
    failing = row_head(page, "Gîtes de France")
    assert "échec de l'import" in failing.inner_text()
    assert failing.locator(".dot-error").count() == 1

    # The import history, one card per import, nothing past the screen's edge.
    page.goto(f"/channels/{tilleuls.channels.get(platform='airbnb').public_id}/")
    assert page.locator("table.history tbody tr").count() == 3
    assert page.evaluate(OFF_SCREEN, "table.history td") == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    switch_language(page, "EN")
    page.goto("/planning/")
    expect(page.get_by_role("heading", name="Planning")).to_be_visible()
    page.goto(f"/units/{tilleuls.public_id}/")
    assert "imported at" in row_head(page, "Airbnb").inner_text()
