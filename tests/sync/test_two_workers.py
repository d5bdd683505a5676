"""Workers claim channels through the database: never one channel twice at once, none missed."""

from __future__ import annotations

import os
import time

import pytest
import redis
from django.utils import timezone

from icalbridge.hub.models import Channel, ImportRun
from tests.conftest import IN_CI
from tests.support.feed_server import FeedServer
from tests.support.hub import Stay, airbnb_feed, days_from_today, new_unit
from tests.support.workers import start_worker, stop_worker, wait_until_workers_are_idle

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHANNELS = 200


def _redis_url() -> str:
    url = os.environ.get("ICALBRIDGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if IN_CI:
            pytest.fail(f"Redis must be reachable in CI at {url}")
        pytest.skip(f"Redis is not reachable at {url}")
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_two_workers_import_each_of_200_due_channels_exactly_once(
    feed_server: FeedServer, tmp_path, queue: str
) -> None:  # type: ignore[no-untyped-def]
    # Four channels a unit, as a host selling on four platforms has.
    units = [new_unit(f"Unit {n}", f"host{n}@example.test") for n in range(CHANNELS // 4)]
    due = timezone.now()
    for i in range(CHANNELS):
        path = f"/c{i}.ics"
        feed_server.serve(
            path,
            airbnb_feed(
                [
                    Stay(
                        f"s{i}@airbnb.com",
                        days_from_today(5 * (i % 4)),
                        days_from_today(5 * (i % 4) + 3),
                    )
                ]
            ),
        )
        Channel.objects.create(
            unit=units[i // 4],
            name=f"C{i}",
            platform="airbnb",
            direction="import",
            import_url=feed_server.url(path),
            next_poll_at=due,
        )
    redis_url = _redis_url() if queue == "redis" else ""
    workers = [
        start_worker(
            tmp_path,
            REDIS_URL=redis_url,
            ICALBRIDGE_SCHEDULER_TICK_S="5",
            ICALBRIDGE_LOG_LEVEL="WARNING",
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 120
        while ImportRun.objects.count() < CHANNELS and time.monotonic() < deadline:
            time.sleep(0.5)
        idle = wait_until_workers_are_idle(tmp_path, 60, redis_url)
    finally:
        outputs = [stop_worker(worker) for worker in workers]

    assert [w.returncode for w in workers] == [0, 0], outputs
    assert idle, "the workers still held claims or queued imports after every channel's run"
    runs = list(ImportRun.objects.values_list("channel_id", "outcome"))
    assert len(runs) == CHANNELS
    assert len({channel for channel, _ in runs}) == CHANNELS
    assert {outcome for _, outcome in runs} == {"applied"}
    assert all(len(feed_server.requests(f"/c{i}.ics")) == 1 for i in range(CHANNELS))
    assert Channel.objects.filter(claimed_until__isnull=False).count() == 0
