"""Web processes answer the feeds they know from memory, never a version since replaced.

Each web process keeps the feeds it served and answers them without a database query,
until the database announces a change (PostgreSQL's NOTIFY, SQLite's data_version). These
tests change a feed from this process, as the worker or a page in another process would,
and wait for every web process of a real server to serve the change.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.client import HTTPConnection

import pytest
from django.db import connection

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.feeds.feed_changes import listener_name
from icalbridge.hub.models import Channel, PublishedFeed
from icalbridge.sim.hub_process import free_port
from tests.support.hub import days_from_today, new_export_with_a_stay
from tests.support.workers import (
    WebServer,
    processes_of,
    start_web_server,
    stop_web_server,
    wait_until,
    web_server_answers,
)

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 2
# Requests in a row, each on a new connection, so that every web process answers some.
ROUND = 24
# A correctness bound for a loaded machine: a feed kept stale would never change at all.
SEEN_S = 10.0


@pytest.fixture(scope="module")
def server(
    django_db_setup: None,
    django_db_blocker: pytest.DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[WebServer]:
    """One server for the module: each test's rows are committed, and it reads them."""
    with django_db_blocker.unblock():
        # No limit on unknown tokens: the 404s these tests wait for would soon be 429s.
        started = start_web_server(
            tmp_path_factory.mktemp("web"),
            free_port(),
            workers=WORKERS,
            ICALBRIDGE_FEED_PROBE_LIMIT="0",
        )
    try:
        assert wait_until(lambda: web_server_answers(started), timeout=60), started.log.read_text()
        yield started
    finally:
        stop_web_server(started)


def get(server: WebServer, path: str) -> tuple[int, str, bytes]:
    """GET on a connection of its own (the processes take turns): status, ETag and body."""
    http = HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        http.request("GET", path)
        response = http.getresponse()
        return response.status, response.getheader("ETag", ""), response.read()
    finally:
        http.close()


@pytest.fixture
def channel() -> Channel:
    return new_export_with_a_stay()


def answers(server: WebServer, path: str) -> list[tuple[int, str]]:
    """A round of GETs, each on its own connection: status and ETag of each."""
    return [get(server, path)[:2] for _ in range(ROUND)]


def every_process_answers(server: WebServer, path: str, expected: tuple[int, str]) -> bool:
    return answers(server, path) == [expected] * ROUND


def test_a_changed_feed_is_served_by_every_web_process(server: WebServer, channel: Channel) -> None:
    feed = PublishedFeed.objects.get(channel=channel)
    assert every_process_answers(server, feed.path, (200, feed.etag))
    create_local_booking(
        channel.unit, span=Nights(days_from_today(20), days_from_today(23)), kind=Kind.RESERVED
    )
    changed = PublishedFeed.objects.get(channel=channel)
    assert changed.etag != feed.etag
    assert wait_until(
        lambda: every_process_answers(server, feed.path, (200, changed.etag)), SEEN_S, step=0
    ), answers(server, feed.path)
    body = get(server, feed.path)[2]
    assert f"DTSTART;VALUE=DATE:{days_from_today(20):%Y%m%d}".encode() in body


def test_a_reset_link_answers_404_on_every_web_process(server: WebServer, channel: Channel) -> None:
    feed = PublishedFeed.objects.get(channel=channel)
    old = feed.path
    assert every_process_answers(server, old, (200, feed.etag))
    feed.reset_token()
    feed.save(update_fields=["token"])
    assert wait_until(lambda: every_process_answers(server, old, (404, "")), SEEN_S, step=0)
    assert every_process_answers(server, feed.path, (200, feed.etag))


def test_a_removed_channel_answers_404_on_every_web_process(
    server: WebServer, channel: Channel
) -> None:
    feed = PublishedFeed.objects.get(channel=channel)
    assert every_process_answers(server, feed.path, (200, feed.etag))
    channel.delete()
    assert wait_until(
        lambda: every_process_answers(server, feed.path, (404, "")), SEEN_S, step=0
    ), answers(server, feed.path)


def listeners(server: WebServer) -> list[int]:
    """The backends of this server's feed-change listeners on the test database.

    Only this server's: a process another test left behind may listen on the same database.
    """
    names = [listener_name(pid) for pid in processes_of(server)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE application_name = ANY(%s) AND datname = current_database()",
            [names],
        )
        return [pid for (pid,) in cursor.fetchall()]


@pytest.mark.postgres
def test_a_lost_listener_never_leaves_a_changed_feed_stale(
    server: WebServer, channel: Channel
) -> None:
    feed = PublishedFeed.objects.get(channel=channel)
    # A process starts listening when it first serves a feed: rounds until each one has.
    assert wait_until(
        lambda: (
            every_process_answers(server, feed.path, (200, feed.etag))
            and len(listeners(server)) == WORKERS
        ),
        SEEN_S,
    ), listeners(server)
    with connection.cursor() as cursor:
        # Cut every web process's listening connection, as a database restart would.
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [listeners(server)]
        )
    create_local_booking(
        channel.unit, span=Nights(days_from_today(30), days_from_today(31)), kind=Kind.RESERVED
    )
    changed = PublishedFeed.objects.get(channel=channel)
    assert wait_until(
        lambda: every_process_answers(server, feed.path, (200, changed.etag)), SEEN_S, step=0
    )
