from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from tests.support.fixtures import (  # noqa: F401  (fixtures for every test)
    feed_server,
    immediate_queue,
    oauth_calendars,
    radicale,
)

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "real"
FIXTURE_FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
IN_CI = os.environ.get("CI", "").lower() == "true"

# A property test checks what the code returns, not how fast: Hypothesis's 200 ms deadline per
# example fails on a loaded machine for reasons no user would notice (speed lives in bench/).
hypothesis_settings.register_profile("icalbridge", deadline=None)
hypothesis_settings.load_profile("icalbridge")


@pytest.fixture
def allow_local_feeds(settings):  # type: ignore[no-untyped-def]
    """Let imports reach the test feed server on 127.0.0.1."""
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Hash test passwords cheaply: the real hasher costs about a second per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def corpus_files() -> list[Path]:
    """Every .ics file of the shared third-party corpus, read in place."""
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.rglob("*.ics"))


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        if IN_CI:
            pytest.fail(f"the shared corpus must be present in CI, looked in {CORPUS}")
        pytest.skip(f"the shared corpus is not beside this clone ({CORPUS} is absent)")
    return CORPUS


def _database_is_postgresql() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run PostgreSQL-only tests in the PostgreSQL pass of scripts/test, and say so elsewhere."""
    if _database_is_postgresql():
        return
    reason = "needs PostgreSQL: runs in the PostgreSQL pass of scripts/test (DATABASE_URL)"
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Write a test's queued export fetch records while its database is still there.

    A fixture's teardown would come after the test database is rolled back or blocked, and the
    records would then fail to write or leak into the next test.
    """
    yield
    from django.apps import apps

    if apps.ready:
        from icalbridge.feeds.fetch_records import fetch_recorder

        # Always: a batch the writer thread took from the queue is no longer pending, but
        # a flush waits for it, where the teardown's TRUNCATE would deadlock with it.
        fetch_recorder.flush()
