"""Every page forbids inline code and framing, forms refuse requests without CSRF token."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.web.conftest import PASSWORD
from tests.web.test_roles import FORM, MATRIX, RETURNS_FROM_ELSEWHERE, World, _kwargs
from tests.web.test_roles import world as roles_world  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
# The pages this module adds beside the role matrix's.
OWN_PAGES = ["members", "audit_log", "account_delete"]
# Files to download, not pages: a browser saves them instead of showing them.
DOWNLOADS = {"account_data_download"}
# Addresses that only ever redirect (Google's return) hold no page.
GET_PAGES = sorted(
    ({name for name, method, _ in MATRIX if method == "get"} | set(OWN_PAGES))
    - DOWNLOADS
    - RETURNS_FROM_ELSEWHERE
)
# Every form of the interface, including those a visitor fills before logging in.
POST_FORMS = sorted(
    {name for name, method, _ in MATRIX if method == "post"}
    | {"account_delete", "organization_switch", "logout", "set_language"}
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


@pytest.fixture
def world(roles_world: World) -> World:  # noqa: F811
    """The role matrix's world: an organization with a unit, channel, booking and conflict."""
    return roles_world


def _owner_client(world: World, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(world.owner)
    return client


def test_pages_carry_a_policy_that_forbids_inline_code_and_framing(world: World) -> None:
    response = _owner_client(world).get(reverse("dashboard"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_login_page_carries_the_policy_too() -> None:
    response = Client().get(reverse("login"))
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("name", GET_PAGES)
def test_no_page_holds_inline_scripts_styles_or_event_handlers(world: World, name: str) -> None:
    response = _owner_client(world).get(reverse(name, kwargs=_kwargs(world, name)))
    assert response.status_code == 200
    html = response.content.decode()
    assert INLINE_SCRIPT.findall(html) == []
    assert INLINE_STYLE.findall(html) == []


@pytest.mark.parametrize("name", POST_FORMS)
def test_every_form_refuses_a_post_without_its_csrf_token(world: World, name: str) -> None:
    client = _owner_client(world, enforce_csrf_checks=True)
    response = client.post(reverse(name, kwargs=_kwargs(world, name)), FORM)
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["login", "signup", "password_reset"])
def test_the_forms_before_login_refuse_a_post_without_its_csrf_token(name: str) -> None:
    response = Client(enforce_csrf_checks=True).post(
        reverse(name), {"username": "a@b.test", "password": "x", "email": "a@b.test"}
    )
    assert response.status_code == 403


def test_the_deploy_checklist_is_clean_under_production_settings(tmp_path: Path) -> None:
    # The test run's own variables (a test database, async-unsafe mode) are not production's.
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ICALBRIDGE_"))
    }
    env = {
        **inherited,
        "ICALBRIDGE_DATA_DIR": str(tmp_path),
        "ICALBRIDGE_HTTPS": "1",
        "ICALBRIDGE_DEBUG": "0",
        "ICALBRIDGE_SECRET_KEY": secrets.token_urlsafe(50),
        "ICALBRIDGE_ALLOWED_HOSTS": "hub.example.org",
        "ICALBRIDGE_PUBLIC_URL": "https://hub.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_policy_in_a_real_browser(world: World, page: Any) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.goto(reverse("login"))
    page.fill("input[name=username]", world.owner.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    for name in GET_PAGES:
        page.goto(reverse(name, kwargs=_kwargs(world, name)))
        page.wait_for_load_state("networkidle")
    # The link check runs through htmx and shows its progress indicator.
    page.goto(reverse("channel_create", kwargs=_kwargs(world, "channel_create")))
    page.fill("input[name=import_url]", "https://calendar.invalid/not-a-feed.ics")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)
    # The month grid takes its width from its day count, set by the script.
    page.goto(reverse("unit_calendar", kwargs=_kwargs(world, "unit_calendar")))
    grid = page.locator("table.month-grid").first
    wanted = grid.get_attribute("data-days")
    days = grid.evaluate("t => getComputedStyle(t).getPropertyValue('--days').trim()")
    assert wanted and days == wanted
    assert violations == []
