"""Load: export feeds held at a steady rate under granian while 200 channels keep importing.

Run: .venv/bin/python -m bench.load_export [--rate 200] [--seconds 60] [--channels 200]
     [--poll-s 30]
Everything runs on 127.0.0.1 with SQLite in a temporary directory: a feed server for the
channels' import links (a tenth of the feeds change every 5 s), the web server as
``icalbridge run`` starts it, one ``icalbridge worker``, and wrk pacing its connections to
the asked rate, half plain GETs (200) and half conditional ones (304 while unchanged).
Prints errors (must be 0), p50/p99 latency, and how late imports started against their
``next_poll_at`` (the most overdue channel, sampled every second).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.support import (
    PYTHON,
    REPO,
    airbnb_style_feed,
    ensure_nginx_and_wrk,
    free_port,
    icalbridge_env,
    load_average,
    percentile,
    print_header,
    stop_process,
    wait_for_port,
)
from icalbridge.commands.web_server import web_server_command

CHANNELS_PER_UNIT = 4


class FeedStore:
    """The channels' import feeds, changed a few at a time as platforms change theirs."""

    def __init__(self, channels: int) -> None:
        self.today = date.today()
        self.version = [0] * channels
        self.bodies = [self._body(i) for i in range(channels)]
        self.lock = threading.Lock()
        self.served = 0

    def _body(self, i: int) -> bytes:
        # One stay more or less, as a platform's feed changes between two polls: changing
        # every stay at once would be held as a mass removal, not imported.
        events = 12 + self.version[i] % 2
        slot = i % CHANNELS_PER_UNIT
        return airbnb_style_feed(events, i, self.today, slot=slot, slots=CHANNELS_PER_UNIT)

    def change_some(self, rng: random.Random, share: float = 0.1) -> None:
        for i in rng.sample(range(len(self.bodies)), max(1, int(len(self.bodies) * share))):
            self.version[i] += 1
            body = self._body(i)
            with self.lock:
                self.bodies[i] = body

    def body(self, i: int) -> bytes | None:
        with self.lock:
            self.served += 1
            return self.bodies[i] if 0 <= i < len(self.bodies) else None


def start_feed_server(store: FeedStore) -> tuple[ThreadingHTTPServer, int]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            match = re.fullmatch(r"/feed/(\d+)\.ics", self.path)
            body = store.body(int(match.group(1))) if match else None
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, int(server.server_address[1])


def setup_hub(channels: int, feed_port: int, poll_s: int) -> None:
    """Create the hub's channels (run in its own process: Django binds one database)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icalbridge.settings")
    django.setup()
    from django.core.management import call_command

    from icalbridge.hub.models import Channel, PublishedFeed, Unit
    from icalbridge.organizations.owners import new_user_with_organization
    from icalbridge.sync.exporter import refresh_unit_feeds

    call_command("migrate", interactive=False, verbosity=0)
    _user, organization = new_user_with_organization("load@bench.test", "load-bench-pw-1", "Load")
    for u in range(channels // CHANNELS_PER_UNIT):
        unit = Unit.objects.create(organization=organization, name=f"Unit {u}")
        for c in range(CHANNELS_PER_UNIT):
            i = u * CHANNELS_PER_UNIT + c
            Channel.objects.create(
                unit=unit,
                name=f"Channel {i}",
                platform="airbnb",
                direction="both",
                import_url=f"http://127.0.0.1:{feed_port}/feed/{i}.ics",
                poll_interval_s=poll_s,
            )
        refresh_unit_feeds(unit)
    feeds = PublishedFeed.objects.filter(channel__isnull=False).values_list("token", "etag")
    print(json.dumps([[f"/ical/{token}.ics", etag] for token, etag in feeds]))


def wrk_script(directory: Path, feeds: list[list[str]], delay_ms: float) -> Path:
    """Write a wrk script: every other request conditional, paced, counting statuses."""
    paths = ", ".join(json.dumps(p) for p, _ in feeds)
    etags = ", ".join(json.dumps(e) for _, e in feeds)
    script = directory / "load.lua"
    script.write_text(
        f"""
local paths = {{{paths}}}
local etags = {{{etags}}}
local n = 0
local threads = {{}}
ok200, ok304, other = 0, 0, 0
function setup(thread) table.insert(threads, thread) end
function request()
  n = n + 1
  local i = (n % #paths) + 1
  if n % 2 == 0 then
    return wrk.format("GET", paths[i], {{["If-None-Match"] = etags[i]}})
  end
  return wrk.format("GET", paths[i])
end
function delay() return {delay_ms:.1f} end
function response(status, headers, body)
  if status == 200 then ok200 = ok200 + 1
  elseif status == 304 then ok304 = ok304 + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("ok200"); b = b + t:get("ok304"); c = c + t:get("other")
  end
  io.write(string.format("STATUSES 200=%d 304=%d other=%d\\n", a, b, c))
end
"""
    )
    return script


def sample_lateness(db: Path, stop: threading.Event, out: list[float]) -> None:
    """Every second, record how overdue the most overdue unclaimed channel is."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    while not stop.wait(1.0):
        now = datetime.now(UTC).replace(tzinfo=None)
        row = connection.execute(
            "SELECT MIN(next_poll_at) FROM hub_channel "
            "WHERE next_poll_at IS NOT NULL AND (claimed_until IS NULL OR claimed_until < ?)",
            (now.isoformat(sep=" "),),
        ).fetchone()
        if row and row[0]:
            due = datetime.fromisoformat(row[0]).replace(tzinfo=None)
            out.append(max(0.0, (now - due).total_seconds()))
    connection.close()


def current_feeds(db: Path) -> list[list[str]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
        rows = connection.execute(
            "SELECT token, etag FROM hub_publishedfeed WHERE channel_id IS NOT NULL"
        ).fetchall()
    return [[f"/ical/{token}.ics", etag] for token, etag in rows]


def import_figures(db: Path, since: datetime) -> dict[str, int]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
        rows = connection.execute(
            "SELECT outcome, COUNT(*) FROM hub_importrun WHERE started_at >= ? GROUP BY outcome",
            (since.replace(tzinfo=None).isoformat(sep=" "),),
        ).fetchall()
    return {outcome: count for outcome, count in rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=200, help="requests per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--poll-s", type=int, default=30, help="each channel's poll interval")
    parser.add_argument("--connections", type=int, default=12)
    args = parser.parse_args()
    ensure_nginx_and_wrk()
    print_header(f"export load: {args.rate} req/s for {args.seconds} s, {args.channels} channels")
    store = FeedStore(args.channels)
    feed_server, feed_port = start_feed_server(store)
    work = Path(tempfile.mkdtemp(prefix="icalbridge-load-"))
    db = work / "hub.sqlite3"
    env = icalbridge_env(
        f"sqlite:///{db}",
        work,
        ICALBRIDGE_SCHEDULER_TICK_S="1",
        ICALBRIDGE_SECRET_KEY="load-bench-" + "x" * 40,
        DJANGO_SETTINGS_MODULE="icalbridge.settings",
    )
    setup = subprocess.run(
        [
            PYTHON,
            "-c",
            f"from bench.load_export import setup_hub; setup_hub({args.channels}, "
            f"{feed_port}, {args.poll_s})",
        ],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    feeds = json.loads(setup.stdout.strip().splitlines()[-1])
    port = free_port()
    web = subprocess.Popen(web_server_command(f"127.0.0.1:{port}", workers=2), env=env, cwd=REPO)
    # Its stdout is the console mail backend: alerts, not figures.
    worker = subprocess.Popen(
        [PYTHON, "-m", "icalbridge.cli", "worker", "--threads", "4"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    rng = random.Random(1)
    stop = threading.Event()
    lateness: list[float] = []
    try:
        wait_for_port(port)
        print(f"# warming up: first imports of {args.channels} channels", flush=True)
        time.sleep(min(30, args.poll_s))
        started = datetime.now(UTC)
        sampler = threading.Thread(target=sample_lateness, args=(db, stop, lateness))
        sampler.start()

        def change_feeds() -> None:
            while not stop.wait(5.0):
                store.change_some(rng)

        changer = threading.Thread(target=change_feeds, daemon=True)
        changer.start()
        # The first imports re-rendered the exports: ask with the ETags they have now.
        feeds = current_feeds(db)
        delay_ms = max(0.0, 1000 * args.connections / args.rate - 3)
        script = wrk_script(work, feeds, delay_ms)
        command = [
            "wrk",
            "-t2",
            f"-c{args.connections}",
            f"-d{args.seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
        ]
        output = subprocess.run(
            command, check=True, capture_output=True, text=True, timeout=args.seconds + 60
        ).stdout
        stop.set()
        sampler.join()
        load = load_average()
        imports = import_figures(db, started)
    finally:
        stop.set()
        stop_process(web)
        stop_process(worker)
        feed_server.shutdown()
    statuses = re.search(r"STATUSES 200=(\d+) 304=(\d+) other=(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", output, re.MULTILINE))
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    socket_errors = sum(int(g) for g in errors.groups()) if errors else 0
    ok200, ok304, other = (int(g) for g in statuses.groups()) if statuses else (0, 0, -1)
    print(output)
    print(
        f"RESULT rate={rate.group(1) if rate else '?'}/s 200={ok200} 304={ok304} "
        f"errors={other + socket_errors} p50={latency.get('50')} p99={latency.get('99')} "
        f"imports={imports} max_lateness_s={max(lateness, default=0):.1f} "
        f"p99_lateness_s={percentile(lateness, 99):.1f} load={load}",
        flush=True,
    )
    return 0 if other + socket_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
