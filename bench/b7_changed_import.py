"""B7: what a changed import of a 40-event feed costs, beside a plain parse of that feed.

Run: .venv/bin/python -m bench.b7_changed_import [--units 20] [--rounds 4] [--profile]

Units of four channels (Airbnb, Booking.com, Vrbo, Abritel; each imports and exports), each
channel importing a 40-event Airbnb-style feed from a server on 127.0.0.1 that answers with
an ETag and 304s. Each round adds one booking to every feed, or takes it away again, then
imports every channel once, one after the other, in one process: each import fetches,
parses, plans, writes, and re-renders the three other feeds of its unit, which show the
change; then the export sides those re-renders made due are derived, as the worker does
next. Then every channel is imported once more, unchanged (a 304). The figure is the CPU
of the importing thread, on SQLite, then on PostgreSQL when it is reachable. The reference,
measured in the same process: a plain ``icalendar`` parse of one of these feeds, the least
any import that reads the feed must spend. Last, the rendering alone of one unit's four
feeds (no read, no write), each feed by itself and sharing their events' renderings as the
exporter does.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import statistics
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.support import (
    PG_ADMIN_URL,
    airbnb_style_feed,
    fresh_postgres_database,
    load_average,
    percentile,
    print_header,
    run_bench_step,
)

EVENTS = 40
_STAMP = datetime(2000, 1, 1, tzinfo=UTC)
PLATFORMS = ("airbnb", "booking", "vrbo", "abritel")
DATABASE = "bench_b7"


class _Feeds(BaseHTTPRequestHandler):
    """Serve the feeds of ``bodies`` by path, with an ETag and 304s as Airbnb does, keeping
    connections open for the next request (HTTP/1.1) as platforms' servers do."""

    protocol_version = "HTTP/1.1"
    bodies: dict[str, bytes] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = self.bodies[self.path]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _feed(i: int, today: date, extra: int) -> bytes:
    return airbnb_style_feed(EVENTS + extra, seed=i, today=today, slot=i % 4, slots=4)


def _step(units: int, rounds: int, profile: bool) -> dict[str, list[float]]:
    """Seed the units, import every channel once, then time the rounds (in this process)."""
    os.environ["ICALBRIDGE_ALLOW_PRIVATE_URLS"] = "127.0.0.1/32"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icalbridge.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    from icalendar import Calendar

    from icalbridge.hub.models import Channel, Unit
    from icalbridge.organizations.owners import new_user_with_organization
    from icalbridge.sync.importer import import_channel

    call_command("migrate", verbosity=0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    today = timezone.localdate()
    channels = units * len(PLATFORMS)
    for i in range(channels):
        _Feeds.bodies[f"/c{i}.ics"] = _feed(i, today, 0)
    _, organization = new_user_with_organization("b7@example.test", "a-long-password-1", "B7")
    homes = Unit.objects.bulk_create(
        Unit(organization=organization, name=f"Gîte {n}") for n in range(units)
    )
    ids = [
        Channel.objects.create(
            unit=homes[i // len(PLATFORMS)],
            name=f"C{i}",
            platform=PLATFORMS[i % len(PLATFORMS)],
            direction="both",
            import_url=f"http://127.0.0.1:{server.server_address[1]}/c{i}.ics",
        ).pk
        for i in range(channels)
    ]
    for pk in ids:
        import_channel(pk)
    _export_sides_due()
    costs: dict[str, list[float]] = {
        "changed": [],
        "export side": [],
        "unchanged (304)": [],
        "icalendar parse": [],
    }
    profiler = cProfile.Profile() if profile else None
    for extra in (n % 2 for n in range(1, rounds + 1)):
        for i in range(channels):
            _Feeds.bodies[f"/c{i}.ics"] = _feed(i, today, extra)
        for pk in ids:
            costs["changed"].append(_timed(partial(import_channel, pk), "applied", profiler))
        costs["export side"] += _export_sides_due()
        for pk in ids:
            costs["unchanged (304)"].append(_timed(partial(import_channel, pk), "unchanged"))
    body = _Feeds.bodies["/c0.ics"]
    for _ in range(len(costs["changed"])):
        started = time.thread_time()
        Calendar.from_ical(body)
        costs["icalendar parse"].append((time.thread_time() - started) * 1000)
    costs.update(_renderings_of(homes[0], len(costs["changed"])))
    server.shutdown()
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    return costs


def _renderings_of(unit: Any, times: int) -> dict[str, list[float]]:
    """Time the rendering of a unit's export feeds, each alone and sharing their events.

    The feeds' events and previous revisions as the exporter gives them; only the rendering
    is timed (no read, no write), ``times`` times each way, alternately.
    """
    from icalbridge.core.exports import ExportWording, export_events_for_channel
    from icalbridge.core.ics_write import render_revised_feed
    from icalbridge.hub.active_bookings import active_core_bookings
    from icalbridge.hub.models import PublishedFeed
    from icalbridge.sync.exporter import revisions_of

    bookings = active_core_bookings(unit)
    feeds = []
    for feed in PublishedFeed.objects.filter(channel__unit=unit).select_related("channel"):
        channel = feed.channel
        events = export_events_for_channel(
            bookings,
            channel.key,
            channel.export_filter,
            ExportWording(),
            rental=True,
            stay=unit.stay_times,
        )
        feeds.append((events, channel.name, revisions_of(feed)))
    spent: dict[str, list[float]] = {"render feeds, each alone": [], "render feeds, shared": []}
    for _ in range(times):
        for path, shared in (("render feeds, each alone", None), ("render feeds, shared", {})):
            started = time.thread_time()
            for events, name, revisions in feeds:
                render_revised_feed(events, name, revisions, stamp=_STAMP, shared=shared)
            spent[path].append((time.thread_time() - started) * 1000)
    return spent


def _export_sides_due() -> list[float]:
    """Derive the export sides the imports made due, as the worker does; return their CPU ms.

    Each feed a changed import re-rendered makes its channel's export side due: three a
    change here, derived by the worker soon after.
    """
    from icalbridge import clock
    from icalbridge.alerts.export_causes import check_export_side
    from icalbridge.hub.models import Channel

    due = Channel.objects.filter(export_check_due_at__lte=clock.now()).order_by("pk")
    spent = []
    for pk in due.values_list("pk", flat=True):
        started = time.thread_time()
        check_export_side(pk, clock.now())
        spent.append((time.thread_time() - started) * 1000)
    return spent


def _timed(run: Any, outcome: str, profiler: cProfile.Profile | None = None) -> float:
    """Return the CPU milliseconds of this thread that ``run`` took; check its outcome."""
    started = time.thread_time()
    if profiler is not None:
        profiler.enable()
    result = run()
    if profiler is not None:
        profiler.disable()
    spent = (time.thread_time() - started) * 1000
    if result.outcome != outcome:
        raise RuntimeError(f"expected an import {outcome}, got {result.outcome}")
    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=20, help="units of four channels")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--profile", action="store_true", help="print the changed imports' profile")
    parser.add_argument("--step", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        costs = _step(args.units, args.rounds, args.profile)
        print(json.dumps(costs))
        return 0
    print_header(f"B7 changed import of a {EVENTS}-event feed, units of four channels")
    data_dir = Path(tempfile.mkdtemp(prefix="icalbridge-b7-"))
    databases = {"SQLite": f"sqlite:///{data_dir / 'b7.sqlite3'}"}
    try:
        databases["PostgreSQL"] = fresh_postgres_database(DATABASE)
    except Exception as error:  # no server: the SQLite figures still stand
        print(f"# PostgreSQL not reachable at {PG_ADMIN_URL}: {error}")
    print("database    path                       n     p50     p90    mean  p50 / parse  load")
    for name, url in databases.items():
        env = {**os.environ, "DATABASE_URL": url, "ICALBRIDGE_DATA_DIR": str(data_dir)}
        step = ["--step", "--units", str(args.units), "--rounds", str(args.rounds)]
        step += ["--profile"] if args.profile else []
        output = run_bench_step("bench.b7_changed_import", step, env)
        if args.profile:
            print(output.rsplit("\n", 2)[0])
        costs = json.loads(output.strip().splitlines()[-1])
        reference = statistics.median(costs["icalendar parse"])
        for path, values in costs.items():
            print(
                f"{name:10s}  {path:25s} {len(values):4d} {percentile(values, 50):7.2f}"
                f" {percentile(values, 90):7.2f} {statistics.mean(values):7.2f}"
                f" {percentile(values, 50) / reference:11.2f}×  {load_average()}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
