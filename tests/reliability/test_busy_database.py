"""A database another writer holds: pages and API calls answer 503 with Retry-After, never 500.

Another connection holds a real write lock (SQLite: a write transaction; PostgreSQL: a table
lock) longer than the busy timeout, and requests go through real HTTP to the live server.
Before: 500 "database is locked" (issue 20, items 1 and 4).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import httpx
import pytest
from django.db import connection

from icalbridge.hub.models import Unit
from tests.api.conftest import PASSWORD, create_host

pytestmark = pytest.mark.django_db(transaction=True)

BUSY_TIMEOUT_S = 1.0


@pytest.fixture(autouse=True)
def _short_busy_timeout(settings: Any) -> None:
    settings.ICALBRIDGE_DB_BUSY_TIMEOUT_S = BUSY_TIMEOUT_S


@contextmanager
def write_lock_held_elsewhere() -> Iterator[None]:
    """Hold the database's write lock from another connection until the block ends."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        other = sqlite3.connect(name, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE hub_organization SET name = name")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    import psycopg

    params = connection.get_connection_params()
    with psycopg.connect(**params) as other:
        # Readers go on; every writer of a unit waits for this lock.
        other.execute("LOCK TABLE hub_unit IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            other.rollback()


@pytest.fixture
def token(db: None) -> str:
    return create_host("host@example.test")


def logged_in(live_server: Any, language: str) -> httpx.Client:
    client = httpx.Client(
        base_url=live_server.url, headers={"Accept-Language": language}, timeout=60
    )
    form = client.get("/accounts/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert csrf
    answer = client.post(
        "/accounts/login/",
        data={"username": "host@example.test", "password": PASSWORD},
        headers={"X-CSRFToken": csrf.group(1), "Referer": str(form.url)},
    )
    assert answer.status_code == 302
    return client


def new_unit(client: httpx.Client, name: str) -> httpx.Response:
    form = client.get("/units/new/")
    assert form.status_code == 200
    return client.post(
        "/units/new/",
        data={"name": name, "timezone": "Europe/Paris", "check_in": "16:00", "check_out": "10:00"},
        headers={"X-CSRFToken": client.cookies["csrftoken"], "Referer": str(form.url)},
    )


def test_a_page_that_writes_while_another_writer_holds_the_lock_answers_503(
    live_server: Any, token: str
) -> None:
    with closing(logged_in(live_server, "fr")) as client:
        with write_lock_held_elsewhere():
            refused = new_unit(client, "Gîte des Tilleuls")
            assert client.get("/").status_code == 200  # reading goes on
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "10"
        assert "occupé" in refused.text
        assert "Rien n'a été modifié" in refused.text
        assert not Unit.objects.filter(name="Gîte des Tilleuls").exists()

        # Once the lock is gone, the same form goes through, once.
        assert new_unit(client, "Gîte des Tilleuls").status_code == 302
    assert Unit.objects.filter(name="Gîte des Tilleuls").count() == 1


def test_an_api_call_that_writes_while_another_writer_holds_the_lock_answers_503(
    live_server: Any, token: str
) -> None:
    with httpx.Client(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        timeout=60,
    ) as api:
        with write_lock_held_elsewhere():
            refused = api.post("/api/v1/units", json={"name": "Studio"})
            # Reading goes on, even though noting the token's first use must wait.
            assert api.get("/api/v1/units").status_code == 200
        assert refused.status_code == 503
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert refused.headers["Retry-After"] == "10"
        problem = refused.json()
        assert problem["status"] == 503
        assert problem["type"].endswith("/busy")
        assert "Nothing was changed" in problem["detail"]

        assert api.post("/api/v1/units", json={"name": "Studio"}).status_code == 201
    assert Unit.objects.filter(name="Studio").count() == 1
