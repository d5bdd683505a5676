"""Password and API token guessing, from the outside: real HTTP against the live server.

Before: 30 wrong passwords in a row, then the right one logged in (issue 20, item 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model

from tests.api.conftest import create_host

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "claire@gites-du-moulin.test"
PASSWORD = "Tilleuls-2026-ete"
LIMIT = 5
LOCKOUT_MINUTES = 15


@pytest.fixture(autouse=True)
def _guessing_limits(settings: Any) -> None:
    settings.ICALBRIDGE_LOGIN_FAILURE_LIMIT = LIMIT
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.ICALBRIDGE_LOGIN_LOCKOUT_MINUTES = LOCKOUT_MINUTES


@pytest.fixture
def host(db: None) -> Any:
    return get_user_model().objects.create_user(username=EMAIL, email=EMAIL, password=PASSWORD)


def browser(live_server: Any, address: str = "127.0.0.1", language: str = "fr") -> httpx.Client:
    """A client with its own cookies, connecting from ``address`` (any 127.x works on Linux)."""
    return httpx.Client(
        base_url=live_server.url,
        transport=httpx.HTTPTransport(local_address=address),
        headers={"Accept-Language": language},
        timeout=30,
    )


@pytest.fixture
def client(live_server: Any) -> Iterator[httpx.Client]:
    with browser(live_server) as opened:
        yield opened


def log_in(client: httpx.Client, path: str, username: str, password: str) -> httpx.Response:
    """Fill and send a login form as a browser does: the form first, for its CSRF token."""
    form = client.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token, "the login form carries a CSRF token"
    return client.post(
        path,
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": token.group(1),
            "next": "/",
        },
        headers={"Referer": str(form.url)},
    )


def is_logged_in(response: httpx.Response) -> bool:
    return response.status_code == 302 and response.headers["Location"] == "/"


def test_thirty_wrong_passwords_lock_the_account_and_the_right_one_then_waits(
    client: httpx.Client, host: Any
) -> None:
    answers = [log_in(client, "/accounts/login/", EMAIL, f"guess-{i}") for i in range(30)]
    assert [a.status_code for a in answers[: LIMIT - 1]] == [200] * (LIMIT - 1)
    assert {a.status_code for a in answers[LIMIT:]} == {429}

    right = log_in(client, "/accounts/login/", EMAIL, PASSWORD)
    assert not is_logged_in(right)
    assert right.status_code == 429
    assert 0 < int(right.headers["Retry-After"]) <= LOCKOUT_MINUTES * 60
    assert "Trop de mots de passe erronés" in right.text
    assert f"Patientez {LOCKOUT_MINUTES} minutes" in right.text
    assert client.get("/").status_code == 302  # still sent to the login page


def test_the_lockout_speaks_english_to_an_english_reader(live_server: Any, host: Any) -> None:
    with browser(live_server, language="en") as client:
        for i in range(LIMIT):
            log_in(client, "/accounts/login/", EMAIL, f"guess-{i}")
        refused = log_in(client, "/accounts/login/", EMAIL, PASSWORD)
    assert refused.status_code == 429
    assert f"Wait {LOCKOUT_MINUTES} minutes, then try again." in refused.text


def test_the_host_logs_in_from_elsewhere_while_a_guesser_is_locked_out(
    live_server: Any, host: Any
) -> None:
    with browser(live_server, "127.0.0.2") as guesser:
        for i in range(LIMIT + 3):
            log_in(guesser, "/accounts/login/", EMAIL, f"guess-{i}")
        assert log_in(guesser, "/accounts/login/", EMAIL, PASSWORD).status_code == 429
    with browser(live_server, "127.0.0.3") as the_host:
        assert is_logged_in(log_in(the_host, "/accounts/login/", EMAIL, PASSWORD))


def test_a_lock_ends_by_itself_after_the_lockout_time(client: httpx.Client, host: Any) -> None:
    for i in range(LIMIT + 10):
        log_in(client, "/accounts/login/", EMAIL, f"guess-{i}")
    assert log_in(client, "/accounts/login/", EMAIL, PASSWORD).status_code == 429
    # The lockout time passes: the recorded failures age by as much.
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=LOCKOUT_MINUTES, seconds=1)
        attempt.save(update_fields=["attempt_time"])
    assert is_logged_in(log_in(client, "/accounts/login/", EMAIL, PASSWORD))


def test_a_correct_login_starts_the_count_again(client: httpx.Client, host: Any) -> None:
    for round_ in range(3):
        for i in range(LIMIT - 1):
            wrong = log_in(client, "/accounts/login/", EMAIL, f"guess-{round_}-{i}")
            assert wrong.status_code == 200
        assert is_logged_in(log_in(client, "/accounts/login/", EMAIL, PASSWORD))
        client.post("/accounts/logout/", headers={"X-CSRFToken": client.cookies["csrftoken"]})


def test_the_admin_login_is_locked_too(client: httpx.Client, db: None) -> None:
    get_user_model().objects.create_superuser("admin@hub.test", "admin@hub.test", PASSWORD)
    for i in range(LIMIT):
        log_in(client, "/admin/login/?next=/admin/", "admin@hub.test", f"guess-{i}")
    refused = log_in(client, "/admin/login/?next=/admin/", "admin@hub.test", PASSWORD)
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert client.get("/admin/").status_code == 302  # not in


def test_wrong_api_tokens_lock_the_address_and_a_real_token_elsewhere_still_works(
    live_server: Any, db: None
) -> None:
    token = create_host("integrator@example.test")
    with browser(live_server, "127.0.0.2", language="en") as guesser:
        answers = [
            guesser.get("/api/v1/units", headers={"Authorization": f"Bearer guess-{i}"})
            for i in range(LIMIT + 5)
        ]
        assert [a.status_code for a in answers[: LIMIT - 1]] == [401] * (LIMIT - 1)
        assert {a.status_code for a in answers[LIMIT:]} == {429}
        # Once locked, even a right token from there waits: a guess would tell nothing.
        locked = guesser.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert locked.status_code == 429
    assert locked.headers["Content-Type"] == "application/problem+json"
    problem = locked.json()
    assert problem["type"].endswith("/too-many-failed-attempts")
    assert "wrong API token" in problem["detail"]
    assert 0 < int(locked.headers["Retry-After"]) <= LOCKOUT_MINUTES * 60

    with browser(live_server, "127.0.0.3") as integrator:
        mine = integrator.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 200
