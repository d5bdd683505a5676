"""Feeds built to hurt: huge, deep, long-lined or explosive; the hub stays up and applies nothing.

The gzip bomb and the 50 MB body are in tests/sync/test_import_faults.py (ids gzip-bomb,
50-MB); the fuzzing run over 100,000 inputs is bench/fuzz_reader.py.
"""

from __future__ import annotations

import os
import threading
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from icalbridge.core.feed import Feed
from icalbridge.core.ics_read import PROBLEM_CODES, ReadOptions, read_feed
from icalbridge.hub.models import Channel
from icalbridge.sync.imports_now import import_now
from tests.support.feed_server import FeedServer
from tests.support.hub import Stay, active_bookings, airbnb_feed, days_from_today, new_channel
from tests.support.hub import new_unit as new_test_unit

TODAY = date(2026, 11, 21)
OPTIONS = ReadOptions(today=TODAY)
HEAD = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Hostile//Test//EN\r\n"
ONE_EVENT = (
    b"BEGIN:VEVENT\r\nUID:stay-1@hostile.test\r\nDTSTAMP:20261101T000000Z\r\n"
    b"DTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261203\r\nSUMMARY:Reserved\r\n"
    b"END:VEVENT\r\n"
)
TAIL = b"END:VCALENDAR\r\n"
# Generous: the machines this runs on are shared and often several times slower than idle.
SECONDS_FOR_A_SMALL_HOSTILE_FEED = 10.0
FULL_SIZE = os.environ.get("ICALBRIDGE_FULL_HOSTILE") == "1"


def event_lines(n: int, start: date = date(2026, 12, 1)) -> Iterator[bytes]:
    """Yield n one-night events, lazily: a million of them never sit in memory at once."""
    for i in range(n):
        day = start + timedelta(days=i % 1000)
        yield (
            f"BEGIN:VEVENT\r\nUID:e{i}@hostile.test\r\nDTSTAMP:20261101T000000Z\r\n"
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}\r\n"
            f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}\r\n"
            "SUMMARY:Reserved\r\nEND:VEVENT\r\n"
        ).encode()


def calendar_of(n: int) -> bytes:
    return HEAD + b"".join(event_lines(n)) + TAIL


def timed_read(data: bytes) -> tuple[Feed, float]:
    started = time.perf_counter()
    feed = read_feed(data, OPTIONS)
    return feed, time.perf_counter() - started


def cpu_of_read(data: bytes) -> float:
    """Return the CPU seconds this thread spent reading a feed."""
    started = time.thread_time()
    read_feed(data, OPTIONS)
    return time.thread_time() - started


def assert_sound(feed: Feed) -> None:
    assert isinstance(feed, Feed)
    assert feed.problem_codes() <= set(PROBLEM_CODES)
    assert "unreadable" not in feed.problem_codes()


class _MillionEvents(BaseHTTPRequestHandler):
    """Stream a calendar of a million events without Content-Length, counting what it sent."""

    sent_events = 0

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.end_headers()
        try:
            self.wfile.write(HEAD)
            for line in event_lines(1_000_000):
                self.wfile.write(line)
                type(self).sent_events += 1
            self.wfile.write(TAIL)
        except (BrokenPipeError, ConnectionResetError):
            return  # the importer hung up at its size cap: the point of the test


@pytest.fixture
def million_event_server() -> Iterator[str]:
    _MillionEvents.sent_events = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _MillionEvents)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/million.ics"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db(transaction=True)
def test_a_feed_of_a_million_events_is_refused_at_the_size_cap_and_nothing_is_applied(
    feed_server: FeedServer, million_event_server: str, settings: Any
) -> None:
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    settings.ICALBRIDGE_FETCH_MAX_BYTES = 10 * 1024 * 1024
    stays = [Stay("1418fb94e984-a@airbnb.com", days_from_today(3), days_from_today(6))]
    feed_server.serve("/airbnb.ics", airbnb_feed(stays))
    channel = new_channel(new_test_unit(), "Airbnb", "airbnb", url=feed_server.url("/airbnb.ics"))
    assert import_now(channel.pk).outcome == "applied"
    before = [(b.remote_uid, b.start, b.end) for b in active_bookings(channel)]
    Channel.objects.filter(pk=channel.pk).update(import_url=million_event_server)

    started = time.monotonic()
    run = import_now(channel.pk, wait_s=120.0)

    assert run is not None and run.outcome == "failed" and run.error_code == "too_large"
    assert [(b.remote_uid, b.start, b.end) for b in active_bookings(channel)] == before
    # The fetch stopped at 10 MB: a small part of the million was ever produced.
    assert _MillionEvents.sent_events < 200_000
    assert time.monotonic() - started < 60


@pytest.mark.slow
def test_the_reader_reads_many_events_in_linear_time_and_bounded_memory() -> None:
    # 100,000 events is about what fits under the 10 MB fetch cap; the full size takes
    # minutes under tracemalloc, so the everyday run reads 1,000 and 4,000 and checks that
    # the cost grows linearly (quadratic growth would multiply it by 16, not 4). Each size
    # keeps its fastest of three reads, timed in this thread's own CPU seconds, so that other
    # processes busy on the machine (the suite runs in several) do not pass for growth;
    # memory is traced on a read of its own, tracemalloc slowing it.
    small_n, large_n = (25_000, 100_000) if FULL_SIZE else (1_000, 4_000)
    small_data, large_data = calendar_of(small_n), calendar_of(large_n)
    small_s = min(cpu_of_read(small_data) for _ in range(3))
    large_s = min(cpu_of_read(large_data) for _ in range(3))
    tracemalloc.start()
    try:
        large = read_feed(large_data, OPTIONS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(large.events) == large_n
    assert_sound(large)
    assert large_s / small_s < 10, f"{large_s / small_s:.1f} times longer for 4 times the events"
    # About 5 kB per event measured (45 MB for 10,000): bounded, linear, no blow-up.
    assert peak / large_n < 10_000, f"{peak / large_n:.0f} bytes per event"


def test_a_ten_megabyte_line_is_read_in_bounded_time() -> None:
    data = HEAD + ONE_EVENT + b"DESCRIPTION:" + b"x" * (10 * 1024 * 1024) + b"\r\n" + TAIL
    feed, seconds = timed_read(data)
    assert_sound(feed)
    assert [e.uid for e in feed.events] == ["stay-1@hostile.test"]
    assert seconds < 120


@pytest.mark.django_db(transaction=True)
def test_a_ten_megabyte_line_is_refused_by_the_importer_before_reading(
    feed_server: FeedServer, settings: Any
) -> None:
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    settings.ICALBRIDGE_FETCH_MAX_BYTES = 10 * 1024 * 1024
    body = HEAD + ONE_EVENT.replace(b"Reserved", b"R" * (10 * 1024 * 1024)) + TAIL
    feed_server.serve("/long.ics", body)
    channel = new_channel(new_test_unit(), "Other", "other", url=feed_server.url("/long.ics"))
    run = import_now(channel.pk, wait_s=60.0)
    assert run is not None and run.outcome == "failed" and run.error_code == "too_large"
    assert active_bookings(channel) == []


def test_ten_thousand_events_opened_and_never_closed_are_a_cut_feed_not_a_crash() -> None:
    feed, seconds = timed_read(HEAD + ONE_EVENT + b"BEGIN:VEVENT\r\n" * 10_000 + TAIL)
    assert_sound(feed)
    assert "truncated" in feed.problem_codes()
    assert not feed.can_be_applied
    assert seconds < SECONDS_FOR_A_SMALL_HOSTILE_FEED


def test_calendars_nested_five_thousand_deep_are_read_flat_without_recursion() -> None:
    data = b"BEGIN:VCALENDAR\r\n" * 5_000 + b"VERSION:2.0\r\n" + ONE_EVENT + TAIL * 5_000
    feed, seconds = timed_read(data)
    assert_sound(feed)
    assert [e.uid for e in feed.events] == ["stay-1@hostile.test"]
    assert "multiple_calendars" in feed.problem_codes()
    assert seconds < SECONDS_FOR_A_SMALL_HOSTILE_FEED


def test_calendars_nested_deep_and_never_closed_are_not_applied() -> None:
    feed, seconds = timed_read(b"BEGIN:VCALENDAR\r\n" * 5_000 + ONE_EVENT)
    assert_sound(feed)
    assert not feed.can_be_applied
    assert seconds < SECONDS_FOR_A_SMALL_HOSTILE_FEED


def daily_series(n: int) -> bytes:
    events = b"".join(
        (
            f"BEGIN:VEVENT\r\nUID:daily-{i}@hostile.test\r\nDTSTAMP:20261101T000000Z\r\n"
            "DTSTART;VALUE=DATE:20250101\r\nDTEND;VALUE=DATE:20250102\r\n"
            "RRULE:FREQ=DAILY\r\nSUMMARY:Busy\r\nEND:VEVENT\r\n"
        ).encode()
        for i in range(n)
    )
    return HEAD + events + TAIL


def test_a_small_feed_of_endless_daily_series_is_read_in_bounded_time() -> None:
    # Measured against one series, so that the bound follows the machine's speed.
    _one, one_s = timed_read(daily_series(1))
    feed, forty_s = timed_read(daily_series(40))
    assert "recurrence_truncated" in feed.problem_codes()
    assert forty_s < 8 * one_s + 1.0


def test_a_two_hundred_byte_series_from_year_one_is_read_in_bounded_time() -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Hostile//Test//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:forever@hostile.test\r\nDTSTART:00010101T000000Z\r\n"
        b"DTEND;VALUE=DATE:20080304\r\nRRULE:FREQ=DAILY;UNTIL=20080323T235959Z\r\n"
        b"SUMMARY:Busy\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    feed, seconds = timed_read(data)
    assert_sound(feed)
    assert seconds < SECONDS_FOR_A_SMALL_HOSTILE_FEED
