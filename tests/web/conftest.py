"""Fixtures for the host's web interface: organizations, roles and a headless Chromium."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told that this is safe (it is: one test, one thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The pictures in docs/ are refreshed on purpose (ICALBRIDGE_UPDATE_SCREENSHOTS=1
# scripts/test tests/web/test_screenshots.py); an ordinary run writes them aside, so that
# running the tests leaves the checkout clean.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("ICALBRIDGE_UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "icalbridge-screenshots"
)
PASSWORD = "Tilleuls-2026-été"


def shoot(page: Any, name: str, *, full_page: bool = True) -> None:
    """Save what the page shows as ``SCREENSHOTS/name.png``, for people to look at.

    Headless Chromium now and then refuses a full-page capture on a busy machine
    ("Unable to capture screenshot", a fault of its compositor, not of the page): the
    capture is tried once more then.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SCREENSHOTS / f"{name}.png")
    try:
        page.screenshot(path=path, full_page=full_page)
    except Exception as error:  # playwright's Error, imported only where a browser runs
        if "Unable to capture screenshot" not in str(error):
            raise
        page.screenshot(path=path, full_page=full_page)


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """Hash test passwords cheaply: the real hasher costs a second per user here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    if not CHROMIUM.exists():
        reason = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[Any]:
    report = yield
    if report.when == "call":
        item.failed_in_call = report.failed
    return report


@pytest.fixture
def page(
    chromium: Any, live_server: Any, settings: Any, request: Any, tmp_path_factory: Any
) -> Iterator[Any]:
    """A French-speaking desktop browser tab on the live server."""
    settings.PUBLIC_URL = live_server.url
    context = chromium.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 860}, base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.on("dialog", lambda dialog: dialog.accept())
    try:
        yield tab
        if getattr(request.node, "failed_in_call", False):
            # What the browser showed when the test failed, for the person reading the failure.
            shot = tmp_path_factory.mktemp("failure") / "page.png"
            tab.screenshot(path=str(shot), full_page=True)
            print(f"screenshot of the failing page: {shot}")
    finally:
        context.close()


@dataclass
class Org:
    owner: Any
    organization: Any


def make_org(email: str, name: str) -> Org:
    from icalbridge.organizations.owners import new_user_with_organization

    user, organization = new_user_with_organization(email, PASSWORD, name)
    return Org(user, organization)


def new_channel(unit: Any, name: str, platform: str, **facts: Any) -> Any:
    """Connect a unit to a platform both ways, with a link that is never fetched."""
    from icalbridge.hub.models import Channel

    return Channel.objects.create(
        unit=unit,
        name=name,
        platform=platform,
        direction="both",
        import_url=f"https://{platform}.example/{unit.pk}-{name}.ics",
        **facts,
    )


def imported(unit: Any, channel: Any, start: date, nights: int, **facts: Any) -> Any:
    """Store a booking as if imported from the channel: a stay, unless ``kind`` says else."""
    from icalbridge.hub.models import Booking

    return Booking.objects.create(
        unit=unit,
        kind=facts.pop("kind", "reserved"),
        origin=channel,
        remote_uid=f"{channel.pk}-{start}@{channel.platform}.example",
        start_date=start,
        end_date=start + timedelta(days=nights),
        **facts,
    )


@pytest.fixture
def host() -> Org:
    """A host who owns an organization of their own."""
    return make_org("claire@gites-du-moulin.fr", "Gîtes du Moulin")


@pytest.fixture
def client(host: Org) -> Any:
    """The host, logged in, reading French."""
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(host.owner)
    return client


@pytest.fixture
def unit(host: Org) -> Any:
    from icalbridge.hub.models import Unit

    return Unit.objects.create(organization=host.organization, name="Gîte des Tilleuls")


def switch_language(page: Any, code: str) -> None:
    """Press a language button and wait for the page to come back in that language."""
    with page.expect_navigation():
        page.get_by_role("button", name=code, exact=True).click()
    page.wait_for_selector(f"html[lang={code.lower()}]")
