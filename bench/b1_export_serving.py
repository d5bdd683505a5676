"""B1: serving a cached export feed, as ``icalbridge run`` starts its web server, vs nginx.

Run: .venv/bin/python -m bench.b1_export_serving [--duration 10] [--events 200]
     [--servers granian,gunicorn]
Each server gets the same wrk settings in the same run; figures are printed beside nginx's.
The candidate web servers are measured one after the other with the same harness, so the
choice of the one ``icalbridge run`` starts can be made again on any machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import urllib.request
from datetime import timedelta
from pathlib import Path

from bench.support import (
    REPO,
    Nginx,
    WrkResult,
    ensure_nginx_and_wrk,
    free_port,
    fresh_postgres_database,
    icalbridge_env,
    load_average,
    print_header,
    run_bench_step,
    run_icalbridge,
    run_wrk,
    stop_process,
    wait_for_port,
    wrk_script,
)
from icalbridge.commands.web_server import WEB_SERVERS, WebServer, web_server_command


def seed_feed(events: int, body_file: Path) -> None:
    """Create a unit with ``events`` bookings and an export channel; print its feed's facts."""
    from icalbridge.cli import setup_django

    setup_django()
    from django.utils import timezone

    from icalbridge.hub.models import Booking, Channel, Organization, PublishedFeed, Unit
    from icalbridge.sync.exporter import refresh_unit_feeds

    organization = Organization.objects.create(name="Bench")
    unit = Unit.objects.create(organization=organization, name="Gîte des Tilleuls")
    channel = Channel.objects.create(
        unit=unit, name="Booking.com", platform="booking", direction="export"
    )
    start = timezone.localdate() - timedelta(days=60)
    rows = []
    for n in range(events):
        end = start + timedelta(days=1 + n % 6)
        rows.append(
            Booking(
                unit=unit,
                kind="reserved" if n % 4 else "unavailable",
                summary=f"Séjour {n}",
                start_date=start,
                end_date=end,
            )
        )
        start = end + timedelta(days=n % 3)
    Booking.objects.bulk_create(rows)
    refresh_unit_feeds(unit)
    feed = PublishedFeed.objects.get(channel=channel)
    body_file.write_bytes(bytes(feed.body))
    print(json.dumps({"path": feed.path, "etag": feed.etag, "size": len(bytes(feed.body))}))


def time_answers(feeds: int = 200) -> None:
    """Print the CPU of answering in this process: first fetch (recorded), repeat, 304.

    CPU of the whole process, so the writing of the fetch records counts too.
    """
    from icalbridge.cli import setup_django

    setup_django()
    import time

    from icalbridge.feeds.fetch_records import fetch_recorder
    from icalbridge.feeds.serving import answer_feed_request
    from icalbridge.hub.models import Channel, PublishedFeed
    from icalbridge.sync.exporter import refresh_unit_feeds

    unit = PublishedFeed.objects.select_related("channel__unit").first().channel.unit  # type: ignore[union-attr]
    for n in range(feeds):
        Channel.objects.create(
            unit=unit, name=f"Export {n}", platform="booking", direction="export"
        )
    refresh_unit_feeds(unit)
    rows = list(PublishedFeed.objects.values_list("token", "etag"))
    for label, conditional in (("first fetch, recorded", False), ("repeat", False), ("304", True)):
        started = time.process_time()
        for token, etag in rows:
            answer_feed_request(
                token,
                method="GET",
                if_none_match=etag if conditional else None,
                if_modified_since=None,
                accept_encoding=None,
                user_agent="Booking.com iCal fetcher",
            )
        # The records queued are written here, in this thread, and counted with their fetches.
        fetch_recorder.flush()
        spent = (time.process_time() - started) / len(rows)
        print(f"#   in-process answer, {label:22s} {1000 * spent:6.3f} ms CPU ({len(rows)} feeds)")


def _measure(
    name: str, url: str, etag: str, args: argparse.Namespace, work: Path, server_pid: int
) -> dict[str, WrkResult]:
    settings = {
        "threads": 2,
        "connections": args.connections,
        "duration_s": args.duration,
        "server_pid": server_pid,
    }
    results = {"200": run_wrk(url, **settings)}
    results["304"] = run_wrk(
        url, **settings, script=wrk_script(work, if_none_match=etag, delay_ms=None)
    )
    for kind in ("200", "304"):
        # Half the peak rate: each connection waits between requests (wrk's Lua delay()),
        # an open-loop approximation since wrk2 is not available here.
        half = results[kind].requests_per_s / 2
        connections = 16
        # Each connection sends one request per delay (the answer time is small next to it).
        delay_ms = 1000 * connections / half
        script = wrk_script(work, if_none_match=etag if kind == "304" else None, delay_ms=delay_ms)
        results[f"{kind} at half peak"] = run_wrk(
            url,
            threads=2,
            connections=connections,
            duration_s=args.duration,
            script=script,
            server_pid=server_pid,
        )
    for kind, result in results.items():
        print(f"{name:34s} {kind:16s} {result.line()}", flush=True)
    return results


def _web_server(
    env: dict[str, str], app: str, server: WebServer
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        # As ``icalbridge run`` starts it, with its 2 web workers.
        web_server_command(f"127.0.0.1:{port}", workers=2, app=app, server=server),
        env=env,
        cwd=REPO,
    )
    wait_for_port(port)
    return process, port


def _icalbridge_server(
    name: str,
    database_url: str,
    data_dir: Path,
    args: argparse.Namespace,
    app: str,
    server: WebServer,
) -> dict[str, WrkResult]:
    data_dir.mkdir(parents=True, exist_ok=True)
    env = icalbridge_env(database_url, data_dir)
    run_icalbridge(["migrate"], env)
    step = ["--seed", str(args.events), "--body-file", str(data_dir / "feed.ics")]
    feed = json.loads(run_bench_step("bench.b1_export_serving", step, env))
    process, port = _web_server(env, app, server)
    try:
        url = f"http://127.0.0.1:{port}{feed['path']}"
        with urllib.request.urlopen(url) as response:
            assert response.status == 200 and len(response.read()) == feed["size"]
        results = _measure(name, url, feed["etag"], args, data_dir, process.pid)
        if args.costs:
            print(run_bench_step("bench.b1_export_serving", ["--cost-step"], env), end="")
        return results
    finally:
        stop_process(process)


def _nginx(body: bytes, args: argparse.Namespace, work: Path) -> dict[str, WrkResult]:
    root = work / "www"
    (root / "e").mkdir(parents=True)
    (root / "e" / "feed.ics").write_bytes(body)
    nginx = Nginx(root)
    try:
        url = nginx.url("/e/feed.ics")
        with urllib.request.urlopen(url) as response:
            etag = response.headers["ETag"]
        return _measure("nginx static file (etag on)", url, etag, args, work, nginx.process.pid)
    finally:
        nginx.stop()


def _ratios(
    runs: dict[str, dict[str, WrkResult]], references: dict[str, dict[str, WrkResult]]
) -> None:
    print("\n# Ratios to the nginx run between each server's SQLite and PostgreSQL runs")
    print("# (requests/s; p99 at half the peak rate in ms)")
    for name, results in runs.items():
        reference = references[name]
        print(
            f"{name:34s} 200: {results['200'].requests_per_s / reference['200'].requests_per_s:6.1%}"
            f"   304: {results['304'].requests_per_s / reference['304'].requests_per_s:6.1%}"
            f"   p99 at half peak: 200 {results['200 at half peak'].p99_ms:.2f} ms,"
            f" 304 {results['304 at half peak'].p99_ms:.2f} ms"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--seed", type=int, metavar="EVENTS", help=argparse.SUPPRESS)
    parser.add_argument("--body-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cost-step", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--costs", action="store_true", help="time the answer in-process too")
    parser.add_argument("--with-django", action="store_true", help="also time the full Django path")
    parser.add_argument(
        "--servers",
        default=",".join(WEB_SERVERS),
        help=f"web servers to measure, in order (the first is the default one): {WEB_SERVERS}",
    )
    args = parser.parse_args()
    servers: list[WebServer] = [s for s in WEB_SERVERS if s in args.servers.split(",")]
    if args.seed is not None:
        seed_feed(args.seed, args.body_file)
        return 0
    if args.cost_step:
        time_answers()
        return 0
    ensure_nginx_and_wrk()
    print_header("B1 export serving")
    print(f"# wrk -t2 -c{args.connections} -d{args.duration}s --latency, half peak: -c16 + delay()")
    work = Path(tempfile.mkdtemp(prefix="bench-b1-"))
    lean = "icalbridge.wsgi:application"
    runs: dict[str, dict[str, WrkResult]] = {}
    references: dict[str, dict[str, WrkResult]] = {}
    body: bytes | None = None
    for server in servers:
        sqlite_dir = work / f"sqlite-{server}"
        sqlite_url = f"sqlite:///{sqlite_dir / 'icalbridge.sqlite3'}"
        name = f"{server}, lean path, SQLite"
        measured = {name: _icalbridge_server(name, sqlite_url, sqlite_dir, args, lean, server)}
        if body is None:
            body = (sqlite_dir / "feed.ics").read_bytes()
            print(f"# feed: {args.events} events, {len(body)} bytes ({len(body) / 1024:.0f} KiB)")
        # nginx right after each server: on a shared machine the load moves within minutes,
        # and a ratio means something only between neighbours.
        reference = _nginx(body, args, work / f"nginx-{server}")
        name = f"{server}, lean path, PostgreSQL"
        pg_url = fresh_postgres_database("bench_b1")
        measured[name] = _icalbridge_server(name, pg_url, work / f"pg-{server}", args, lean, server)
        if args.with_django:
            name = f"{server}, full Django view, SQLite"
            app = "icalbridge.wsgi:django_application"
            measured[name] = _icalbridge_server(
                name, sqlite_url, work / f"sqlite-django-{server}", args, app, server
            )
        runs.update(measured)
        references.update(dict.fromkeys(measured, reference))
    _ratios(runs, references)
    print(f"# load average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
