"""Two writers of fetch records never deadlock on PostgreSQL: channels are locked in id order.

Each web process writes the fetches it served in batches, in one transaction a batch. Written
in the order they were served, two processes' batches could lock the same two channels in
opposite orders, and PostgreSQL would abort one of them.
"""

from __future__ import annotations

import threading

import psycopg
import pytest
from django.db import connection, connections
from django.utils import timezone

from icalbridge.feeds.fetch_records import ExportFetch, write_fetches
from icalbridge.hub.models import Channel
from tests.support.hub import new_channel, new_unit
from tests.support.workers import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def another_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
    )


def waiting_for_a_lock(watcher: psycopg.Connection, database: str) -> bool:
    row = watcher.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
        [database],
    ).fetchone()
    return bool(row and row[0])


def test_a_batch_waits_for_a_channel_held_elsewhere_without_holding_another_meanwhile() -> None:
    unit = new_unit()
    first = new_channel(unit, "Airbnb", "airbnb", direction="export")
    second = new_channel(unit, "Booking.com", "booking", direction="export")
    assert first.pk < second.pk
    at = timezone.now()
    # Served in this order: the second channel's fetch came first.
    batch = [
        ExportFetch(0, second.pk, '"v1"', [], at, "Booking.com"),
        ExportFetch(0, first.pk, '"v1"', [], at, "Airbnb"),
    ]
    failures: list[BaseException] = []

    def write() -> None:
        try:
            write_fetches(batch)
        except BaseException as error:  # the thread's failure is the test's
            failures.append(error)
        finally:
            connections.close_all()

    holder, watcher = another_connection(), another_connection()
    watcher.autocommit = True
    try:
        # Another writer holds the first channel, as a batch locking in id order would.
        holder.execute("SELECT id FROM hub_channel WHERE id = %s FOR UPDATE", [first.pk])
        writer = threading.Thread(target=write)
        writer.start()
        database = connection.settings_dict["NAME"]
        assert wait_until(lambda: waiting_for_a_lock(watcher, database), timeout=30)
        # The batch waits for the first channel without holding the second: the other
        # writer goes on to lock it, where it would otherwise deadlock.
        holder.execute("SET lock_timeout = '10s'")
        holder.execute("SELECT id FROM hub_channel WHERE id = %s FOR UPDATE", [second.pk])
        holder.commit()
        writer.join(timeout=30)
    finally:
        holder.close()
        watcher.close()
    assert not writer.is_alive()
    assert failures == []
    counts = dict(Channel.objects.values_list("pk", "export_fetch_count"))
    assert counts[first.pk] == counts[second.pk] == 1
