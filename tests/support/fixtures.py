"""Pytest fixtures shared by the test packages (imported into tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.feed_server import FeedServer


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A real HTTP server on 127.0.0.1 for one test, stopped with all its threads after it."""
    server = FeedServer()
    try:
        yield server
    finally:
        server.stop()
