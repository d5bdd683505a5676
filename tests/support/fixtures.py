"""Pytest fixtures shared by the test packages (imported into tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.feed_server import FeedServer
from tests.support.oauth_server import OAuthCalendarServer
from tests.support.radicale import Radicale, started_radicale


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A real HTTP server on 127.0.0.1 for one test, stopped with all its threads after it."""
    server = FeedServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def radicale() -> Iterator[Radicale]:
    """A real Radicale CalDAV server on 127.0.0.1 for the whole run (each test makes its calendar)."""
    server = started_radicale()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def oauth_calendars(radicale: Radicale) -> Iterator[OAuthCalendarServer]:
    """Google's OAuth and CalDAV endpoints on 127.0.0.1, in front of the Radicale server."""
    server = OAuthCalendarServer(radicale)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def immediate_queue() -> Iterator[None]:
    """Run queued work at once, in the test's thread, as a worker would run it."""
    from icalbridge.sync.queue import huey

    huey.immediate = True
    try:
        yield
    finally:
        huey.immediate = False
