"""B5: one large feed's import: cost per event, and how long it keeps other writers waiting.

Run: .venv/bin/python -m bench.b5_large_imports [--sizes 1000 10000 100000] [--profile N]

For each size, a feed of minimal one-night events (the shape of the 9.5 MB, 170,000-event
feed that once locked the hub) is served from 127.0.0.1 and imported into a fresh SQLite
database with a raised event cap, then imported again after one event changed. A probe
thread writes a row every 20 ms on its own connection, as another organisation's request
would: its longest wait is the longest the import kept the write lock. Each line gives
seconds and CPU per 1,000 events, so that linear cost reads as a constant column.
``--cap 20000`` keeps the hub's default cap (bigger feeds are refused); ``--profile N`` prints the cProfile of an import of N events instead.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sqlite3
import tempfile
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.support import load_average, print_header

DEFAULT_SIZES = (1_000, 10_000, 100_000)


def minimal_feed(events: int, today: date, changed: int = -1) -> bytes:
    """Return ``events`` one-night events of about 56 bytes each, inside the reading window."""
    lines = [b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bench//Large//EN\r\n"]
    for i in range(events):
        day = today + timedelta(days=1 + i % 1000)
        if i == changed:
            day += timedelta(days=1)
        lines.append(
            b"BEGIN:VEVENT\r\nUID:%d\r\nDTSTART;VALUE=DATE:%s\r\nEND:VEVENT\r\n"
            % (
                i,
                day.strftime("%Y%m%d").encode(),
            )
        )
    lines.append(b"END:VCALENDAR\r\n")
    return b"".join(lines)


class _Feed(BaseHTTPRequestHandler):
    body = b""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


class WriteProbe:
    """Write a row every 20 ms on a connection of its own; keep the longest wait."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.longest_s = 0.0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WriteProbe:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=3600, isolation_level=None)
        conn.execute("CREATE TABLE IF NOT EXISTS bench_probe (at REAL)")
        while not self.stopping.is_set():
            started = time.perf_counter()
            conn.execute("INSERT INTO bench_probe VALUES (?)", (started,))
            self.longest_s = max(self.longest_s, time.perf_counter() - started)
            self.stopping.wait(0.02)
        conn.close()


def _setup_django(data_dir: Path, cap: int) -> None:
    os.environ["ICALBRIDGE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{data_dir / 'bench.sqlite3'}")
    os.environ["ICALBRIDGE_ALLOW_PRIVATE_URLS"] = "127.0.0.1/32"
    os.environ["ICALBRIDGE_FETCH_MAX_BYTES"] = str(64 * 1024 * 1024)
    os.environ["ICALBRIDGE_MAX_EVENTS_PER_FEED"] = str(cap)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icalbridge.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _new_channel(url: str, n: int) -> int:
    from icalbridge.hub.models import Channel, Unit
    from icalbridge.organizations.owners import new_user_with_organization

    _, org = new_user_with_organization(f"bench{n}@example.test", "a-long-password-1", "Bench")
    unit = Unit.objects.create(organization=org, name=f"Bench {n}")
    return Channel.objects.create(unit=unit, name="Big", platform="other", import_url=url).pk


def _timed_import(channel_id: int, database: str) -> tuple[str, float, float, float]:
    from icalbridge.sync.imports_now import import_now

    with WriteProbe(database) as probe:
        wall, cpu = time.perf_counter(), time.process_time()
        run = import_now(channel_id, wait_s=5)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    outcome = run.outcome if run else "none"
    return outcome, wall, cpu, probe.longest_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--profile", type=int, help="profile one import of N events")
    parser.add_argument(
        "--cap",
        type=int,
        default=1_000_000,
        help="events per feed (raised by default to measure large imports; 20000 is the "
        "hub's default, over which a feed is refused)",
    )
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="icalbridge-b5-"))
    _setup_django(data_dir, args.cap)
    from django.conf import settings
    from django.utils import timezone

    database = str(settings.DATABASES["default"]["NAME"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/big.ics"
    today = timezone.localdate()
    print_header("B5: a large feed's import, cost per event and longest write wait (SQLite)")
    if args.profile:
        _Feed.body = minimal_feed(args.profile, today)
        channel_id = _new_channel(url, 0)
        profiler = cProfile.Profile()
        profiler.enable()
        _timed_import(channel_id, database)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return 0
    print(
        "events      bytes  import            s  ms/1k ev  CPU ms/1k ev  longest write wait  load"
    )
    for n, size in enumerate(args.sizes, start=1):
        channel_id = _new_channel(url, n)
        for label, changed in (("first", -1), ("one moved", 0)):
            _Feed.body = minimal_feed(size, today, changed)
            outcome, wall, cpu, longest = _timed_import(channel_id, database)
            print(
                f"{size:7d} {len(_Feed.body):10d}  {label:9s} {outcome:8s} {wall:7.2f}"
                f" {1000 * wall * 1000 / size:9.1f} {1000 * cpu * 1000 / size:13.1f}"
                f" {longest:16.3f} s  {load_average()}",
                flush=True,
            )
    server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
