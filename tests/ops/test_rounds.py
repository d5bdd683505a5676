"""Two workers over two rounds: every channel imported once a round, none missed, none twice."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.utils import timezone

from icalbridge.hub.models import Channel, ImportRun
from tests.support.feed_server import FeedServer
from tests.support.hub import Stay, airbnb_feed, days_from_today, new_unit
from tests.support.workers import (
    current_database_url,
    start_worker,
    stop_worker,
    wait_until_workers_are_idle,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHANNELS = 300
CHANGED = range(3, CHANNELS, 10)  # a tenth of the feeds change between the rounds


def _feed(i: int, round_: int) -> bytes:
    shift = round_ if i in CHANGED else 0
    return airbnb_feed(
        [
            Stay(f"s{i}-{n}@airbnb.com", days_from_today(7 * n + shift), days_from_today(7 * n + 3))
            for n in range(1, 2 + i % 5)
        ]
    )


def _serve_round(feed_server: FeedServer, round_: int) -> None:
    for i in range(CHANNELS):
        # Half the servers send an ETag (the 304 path), half none (the fingerprint path).
        etag = f'"{i}-{round_ if i in CHANGED else 0}"' if i % 2 == 0 else None
        feed_server.serve(f"/c{i}.ics", _feed(i, round_), etag=etag)


def _wait_for_runs(count: int, timeout_s: float) -> int:
    # Generous: about 12 s a round on a quiet machine, much more on a busy CI runner.
    deadline = time.monotonic() + timeout_s
    while (done := ImportRun.objects.count()) < count and time.monotonic() < deadline:
        time.sleep(0.3)
    return done


def test_two_workers_import_each_of_300_channels_once_in_each_of_two_rounds(
    feed_server: FeedServer, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    units = [new_unit(f"Unit {n}", f"host{n}@example.test") for n in range(CHANNELS // 4)]
    _serve_round(feed_server, 1)
    Channel.objects.bulk_create(
        Channel(
            unit=units[i // 4],
            name=f"C{i}",
            platform="airbnb",
            direction="import",
            import_url=feed_server.url(f"/c{i}.ics"),
            next_poll_at=timezone.now(),
        )
        for i in range(CHANNELS)
    )
    workers = [
        start_worker(
            tmp_path,
            DATABASE_URL=current_database_url(),
            ICALBRIDGE_SCHEDULER_TICK_S="0.5",
            ICALBRIDGE_LOG_LEVEL="WARNING",
        )
        for _ in range(2)
    ]
    try:
        first_round = _wait_for_runs(CHANNELS, 150)
        _serve_round(feed_server, 2)
        # The interval has passed: every channel is due again.
        Channel.objects.update(next_poll_at=timezone.now())
        _wait_for_runs(2 * CHANNELS, 150)
        idle = wait_until_workers_are_idle(tmp_path, 60)
    finally:
        outputs = [stop_worker(worker) for worker in workers]

    assert [w.returncode for w in workers] == [0, 0], outputs
    assert idle, "the workers still held claims or queued imports after the second round"
    assert first_round >= CHANNELS, "the first round did not finish in time"
    runs = list(ImportRun.objects.order_by("started_at").values_list("channel_id", "outcome"))
    ids = list(Channel.objects.order_by("name").values_list("id", flat=True))
    assert Counter(channel for channel, _ in runs) == {channel: 2 for channel in ids}
    second = {channel: outcome for channel, outcome in runs[CHANNELS:]}
    by_index = {int(c.name[1:]): c.pk for c in Channel.objects.all()}
    assert {second[by_index[i]] for i in CHANGED} == {"applied"}
    assert {second[by_index[i]] for i in set(range(CHANNELS)) - set(CHANGED)} == {"unchanged"}
    assert all(len(feed_server.requests(f"/c{i}.ics")) == 2 for i in range(CHANNELS))
    revalidated = [feed_server.requests(f"/c{i}.ics")[1] for i in range(0, CHANNELS, 2)]
    assert all(r.header("If-None-Match") for r in revalidated)
