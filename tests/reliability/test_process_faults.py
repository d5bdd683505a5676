"""Process faults: killed workers, lost database connections, locked or full SQLite, clock jumps.

After each: no partial import, no duplicate booking, no lost booking, a truthful status, and a
worker that goes on by itself.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from icalbridge.hub.models import Booking, Channel, ImportRun
from icalbridge.sync.claims import claim_due_channels
from icalbridge.sync.imports_now import import_now
from tests.support.feed_server import FeedServer
from tests.support.hub import Stay, airbnb_feed, days_from_today, new_channel, new_unit
from tests.support.workers import start_worker, stop_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

CHANNELS = 24


@pytest.fixture(autouse=True)
def _loopback(settings):  # type: ignore[no-untyped-def]
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"


def stays_for(n: int) -> list[Stay]:
    return [
        Stay(
            f"1418fb94e984-c{n}s{k}@airbnb.com",
            days_from_today(4 * k + 1),
            days_from_today(4 * k + 3),
        )
        for k in range(5)
    ]


def serve_slowly(feed_server: FeedServer) -> list[Channel]:
    """Channels whose feeds take about a second each to arrive: imports are in flight."""
    channels = []
    for n in range(CHANNELS):
        path = f"/slow{n}.ics"
        feed_server.fault(
            path, "slow_body", body=airbnb_feed(stays_for(n)), chunk=256, interval_s=0.25
        )
        unit = new_unit(f"Unit {n}", f"host{n}@example.test")
        channels.append(new_channel(unit, "Airbnb", "airbnb", url=feed_server.url(path)))
    return channels


def fetches_so_far(feed_server: FeedServer) -> int:
    return sum(len(feed_server.requests(f"/slow{n}.ics")) for n in range(CHANNELS))


def assert_every_channel_holds_exactly_its_feed(channels: list[Channel]) -> None:
    for n, channel in enumerate(channels):
        active = Booking.objects.filter(origin=channel, cancelled_at__isnull=True)
        uids = Counter(active.values_list("remote_uid", flat=True))
        assert set(uids) == {s.uid for s in stays_for(n)}, channel
        assert max(uids.values()) == 1, f"duplicate booking on {channel}"


def test_a_worker_killed_again_and_again_mid_import_loses_nothing_and_goes_on(
    feed_server: FeedServer, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    channels = serve_slowly(feed_server)
    lease = {"ICALBRIDGE_CLAIM_LEASE_S": "3", "ICALBRIDGE_FETCH_TIMEOUT_S": "10"}
    for _ in range(3):
        before = fetches_so_far(feed_server)
        worker = start_worker(tmp_path, **lease)
        # Killed the moment it fetches: a slow body takes over a second to arrive, so its
        # imports are under way, between their claim and their transaction.
        fetching = wait_until(
            lambda before=before: fetches_so_far(feed_server) > before, timeout=60, step=0.05
        )
        stop_worker(worker, kill=True)
        assert fetching, "the worker never started an import"

    worker = start_worker(tmp_path, **lease)
    try:
        done = wait_until(
            lambda: all(
                ImportRun.objects.filter(channel=c, outcome="applied").exists() for c in channels
            ),
            timeout=90,
        )
    finally:
        output = stop_worker(worker)
    assert done, output
    assert_every_channel_holds_exactly_its_feed(channels)
    assert set(Channel.objects.values_list("state", flat=True)) == {"ok"}
    # A killed worker's claims run out by themselves; none is held any more.
    assert not Channel.objects.filter(claimed_until__gt=timezone.now()).exists()


def test_a_locked_sqlite_file_delays_an_import_and_loses_nothing(feed_server: FeedServer) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("this fault is SQLite's: the PostgreSQL pass covers lost connections instead")
    feed_server.serve("/f.ics", airbnb_feed(stays_for(0)))
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/f.ics"))
    locked = threading.Event()

    def hold_the_file() -> None:
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=5)
        other.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(2)
        other.rollback()
        other.close()

    holder = threading.Thread(target=hold_the_file)
    holder.start()
    locked.wait(5)
    started = time.monotonic()
    run = import_now(channel.pk)
    holder.join()

    assert run is not None and run.outcome == "applied" and run.added == 5, (
        run.error_code,
        run.message,
    )
    assert time.monotonic() - started >= 1.5  # it waited for the lock instead of failing
    assert_every_channel_holds_exactly_its_feed([channel])


def test_a_full_disk_applies_nothing_and_the_next_import_recovers(feed_server: FeedServer) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("a full disk is simulated on SQLite's file; PostgreSQL has its own pass")
    feed_server.serve("/f.ics", airbnb_feed(stays_for(0)))
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/f.ics"))
    big = [
        Stay(
            f"1418fb94e984-big{k}@airbnb.com",
            days_from_today(k + 1),
            days_from_today(k + 2),
            "Reserved " + "x" * 2000,
        )
        for k in range(300)
    ]
    feed_server.serve("/f.ics", airbnb_feed(big))
    with connection.cursor() as cursor:
        # Free pages left by earlier tests would take the import's rows without growing the
        # file: give them back first, or the "full" file still has room.
        cursor.execute("VACUUM")
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
    options = connection.settings_dict["OPTIONS"]
    saved = options["init_command"]
    # Every new connection now finds the file full: SQLite answers "database or disk is full".
    options["init_command"] = f"{saved} PRAGMA max_page_count = {pages + 2};"
    connection.close()
    try:
        run = import_now(channel.pk)
    finally:
        options["init_command"] = saved
        connection.close()
    assert run is None or run.outcome == "failed"
    assert Booking.objects.filter(origin=channel).count() == 0  # nothing half-written

    recovered = import_now(channel.pk)

    assert recovered is not None and recovered.outcome == "applied" and recovered.added == 300
    channel.refresh_from_db()
    assert channel.state == "ok"


@pytest.mark.postgres
def test_lost_database_connections_mid_run_lose_nothing(feed_server: FeedServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    channels = serve_slowly(feed_server)
    lease = {
        "ICALBRIDGE_CLAIM_LEASE_S": "3",
        "ICALBRIDGE_FETCH_TIMEOUT_S": "10",
        "ICALBRIDGE_INTERNAL_RETRY_S": "1",
    }
    worker = start_worker(tmp_path, **lease)
    try:
        for _ in range(3):
            # Cut while imports are under way: right after new fetches began.
            before = fetches_so_far(feed_server)
            assert wait_until(
                lambda before=before: fetches_so_far(feed_server) > before, timeout=60, step=0.05
            ), "the worker fetched nothing more"
            # What a PostgreSQL restart does to its clients: every connection is cut.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        done = wait_until(
            lambda: all(
                ImportRun.objects.filter(channel=c, outcome="applied").exists() for c in channels
            ),
            timeout=90,
        )
    finally:
        output = stop_worker(worker)
    assert done, output
    assert_every_channel_holds_exactly_its_feed(channels)
    assert worker.returncode == 0


def test_a_clock_that_jumped_back_does_not_silence_channels(feed_server: FeedServer) -> None:
    unit = new_unit()
    now = timezone.now()
    jumped = new_channel(unit, "A", "airbnb", url=feed_server.url("/a.ics"))
    waiting = new_channel(unit, "B", "airbnb", url=feed_server.url("/b.ics"))
    Channel.objects.filter(pk=jumped.pk).update(next_poll_at=now + timedelta(days=3))
    Channel.objects.filter(pk=waiting.pk).update(next_poll_at=now + timedelta(hours=2))

    assert claim_due_channels(now, "worker-1") == [jumped.pk]


def test_a_clock_that_jumped_forward_imports_everything_once(feed_server: FeedServer) -> None:
    unit = new_unit()
    feed_server.serve("/a.ics", airbnb_feed(stays_for(0)))
    channel = new_channel(unit, "A", "airbnb", url=feed_server.url("/a.ics"))
    later = timezone.now() + timedelta(days=5)
    assert claim_due_channels(later, "worker-1") == [channel.pk]
    assert claim_due_channels(later, "worker-2") == []
