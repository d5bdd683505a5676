"""Polls of one server share a kept connection, and nothing a fetch promises is lost by it."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from icalbridge.outbound.fetch import FetchOutcome, FetchPolicy, Validators, fetch_feed
from tests.support.kept_alive_server import CALENDAR, ETAG, KeptAliveServer

POLICY = FetchPolicy(allowed_networks=("127.0.0.1/32",), connect_timeout_s=1.0, total_timeout_s=1.5)


@pytest.fixture
def server() -> Iterator[KeptAliveServer]:
    with KeptAliveServer() as running:
        yield running


def loopback(host: str, port: int, **_kw: object) -> list[tuple[object, ...]]:
    """Resolve every name to 127.0.0.1, as two sites behind one shared address are."""
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]


def test_polls_of_one_server_share_one_connection(server: KeptAliveServer) -> None:
    first = fetch_feed(server.url(), None, POLICY)
    again = [fetch_feed(server.url(), Validators(ETAG), POLICY) for _ in range(3)]
    assert (first.outcome, first.body) == (FetchOutcome.OK, CALENDAR)
    assert [r.outcome for r in again] == [FetchOutcome.NOT_MODIFIED] * 3
    assert (len(server.connections), server.requests()) == (1, 4)


def test_two_sites_at_one_address_never_share_a_connection(server: KeptAliveServer) -> None:
    # Over HTTPS a shared connection would carry one site's request under the other's
    # certificate: each connection serves the one host it was opened for.
    for host in ("a.example.test", "b.example.test", "a.example.test", "b.example.test"):
        result = fetch_feed(server.url(host=host), None, POLICY, resolver=loopback)
        assert result.body == CALENDAR
    port = server.port
    assert server.hosts_by_connection() == [{f"a.example.test:{port}"}, {f"b.example.test:{port}"}]


def test_a_connection_the_server_closed_while_idle_is_replaced_not_failed(
    server: KeptAliveServer,
) -> None:
    server.later = "drop"  # each connection answers once, then closes on the next request
    results = [fetch_feed(server.url(), None, POLICY) for _ in range(3)]
    assert [(r.outcome, r.body) for r in results] == [(FetchOutcome.OK, CALENDAR)] * 3
    assert len(server.connections) == 3


def test_a_kept_connection_that_falls_silent_is_still_cut_at_the_total_time_out(
    server: KeptAliveServer,
) -> None:
    assert fetch_feed(server.url(), None, POLICY).body == CALENDAR
    server.later = "dribble"
    started = time.monotonic()
    slow = fetch_feed(server.url(), None, POLICY)
    assert (slow.outcome, slow.error_code) == (FetchOutcome.FAILED, "timeout")
    assert time.monotonic() - started < POLICY.total_timeout_s + 0.4
    # The cut connection is not kept: the next poll opens a new one and reads the feed.
    server.later = "answer"
    assert fetch_feed(server.url(), None, POLICY).body == CALENDAR
    assert len(server.connections) == 2
