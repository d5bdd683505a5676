"""``icalbridge simulate SCENARIO``: run the real hub in a simulated world of platforms.

The world: booking platforms (Airbnb, Booking.com, Abritel/VRBO) as real HTTP servers on
127.0.0.1, each with one listing per unit, exporting its calendar in its own style and
importing the hub's export feed every ``poll_interval_s``; the host's Google agenda
(timed events in Europe/Paris); guests who book only the nights a platform believes free,
cancel and change dates; the host blocking dates and booking directly in the hub. The
hub runs for real: ``icalbridge run`` (granian and a worker) on its own database, its
clock read from a file this simulation moves (``ICALBRIDGE_CLOCK_FILE``).

Time is simulated as a discrete-event loop (``world.World``): the clock jumps to the next
instant where something can happen. What is not paid for, and why it changes nothing:

- A hub poll of a feed whose bytes (DTSTAMP aside) and whose served history (docs/domain.md rule 8)
  did not change since the hub's last import, and with no change held for confirmation
  (docs/domain.md rule 7), changes nothing but timestamps (an unchanged feed is skipped by
  fingerprint).
  Such polls are skipped: after each real import the channel is parked (``next_poll_at``
  empty, so no worker claims it) and the simulation steps its schedule on by jittered
  intervals as the hub would; the moment the feed or its served history changes, the
  channel is due again at the next instant of that schedule, and the real worker fetches
  it then. Every hour the channels get the success their skipped polls would have
  recorded. ``--every-poll`` turns this off: the hub polls every channel on its own.
- The platforms' fetches of the hub's feed are all made, over HTTP, one after the other
  on one kept-alive connection, with their ETag (a 304 on the hub's lean path when
  nothing changed).
- The jitter the simulation draws for skipped polls is not the hub's own random draw,
  so the two modes give the same counts but not the same delays to the second.
- Django's ``auto_now`` fields keep the machine's time, but units and channels are dated
  from the simulation's start (a channel created "long ago" and never imported is stale).

After ``days`` of events comes a quiet period with no event: ``settle_s`` for the world to
settle (two polls of the slowest platform and more), then as long again during which any
feed whose future nights still change is a loop. Ghost nights are counted at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from icalbridge.sim.hub_process import free_port, hub_environment
from icalbridge.sim.parts import DELAYS_KEY, merge_reports
from icalbridge.sim.scenario import SCENARIOS_DIR

_HEADLINE = (
    "ghost_nights",
    "loops",
    "double_bookings",
    "unavoidable_double_bookings",
    "hub_double_bookings",
    "conflicts",
    "conflicts_alerted",
    "propagation_p50_s",
    "propagation_p95_s",
    "propagation_p99_s",
    "propagation_everywhere_p50_s",
    "propagation_everywhere_p99_s",
)


def scenario_path(name: str) -> Path:
    path = Path(name)
    return path if path.exists() else SCENARIOS_DIR / (name.removesuffix(".json") + ".json")


@contextmanager
def scratch_database(url: str, part: str = "0") -> Iterator[str]:
    """Create an empty PostgreSQL database beside ``url`` for one run; drop it afterwards.

    The simulation fills a hub from scratch: it must never write into a real one.
    """
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'icalbridge'}_sim_{os.getpid()}_{part}"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def simulate(
    scenario: str,
    *,
    every_poll: bool = False,
    units: int | None = None,
    days: float | None = None,
    parts: int = 1,
    only_part: int | None = None,
) -> dict[str, Any]:
    """Run a scenario against fresh hubs and return its report.

    ``parts`` splits the units over that many hubs run side by side (see ``sim.parts``);
    ``only_part`` runs just that one, and keeps its delays so that the reports of every
    part, run on other days or machines, can be merged (``icalbridge simulate-merge``).
    Each hub gets a database of its own: SQLite in a temporary folder, or, when
    ``DATABASE_URL`` names a PostgreSQL server, a scratch database created on it.
    """
    path = scenario_path(scenario)
    if not path.exists():
        raise SystemExit(f"no scenario {scenario!r} (looked for {path})")
    if parts < 1:
        raise SystemExit("--parts must be at least 1")
    if only_part is not None and not 0 <= only_part < parts:
        raise SystemExit(f"--part must be between 0 and {parts - 1}")
    options = ["--every-poll"] if every_poll else []
    options += ["--units", str(units)] if units is not None else []
    options += ["--days", str(days)] if days is not None else []
    began = time.monotonic()
    with ExitStack() as stack:
        chosen = range(parts) if only_part is None else [only_part]
        runs = [stack.enter_context(_driver(path, options, part, parts)) for part in chosen]
        # A part that fails stops the others at once (leaving _driver stops them).
        while any(run.process.poll() is None for run in runs):
            for run in runs:
                run.raise_if_failed()
            time.sleep(0.5)
        reports = [run.report() for run in runs]
    report = merge_reports(reports) if len(reports) > 1 else reports[0]
    report["wall_s"] = round(time.monotonic() - began, 1)
    if only_part is not None:
        return {**report, "part": only_part, "parts": parts}
    report.pop(DELAYS_KEY, None)
    return report


def merge_main(args: argparse.Namespace) -> int:
    """Print the report of a world from the saved reports of its parts (``--part K --json``)."""
    reports = [json.loads(Path(name).read_text()) for name in args.reports]
    parts = {r.get("parts") for r in reports}
    numbers = sorted(r.get("part", -1) for r in reports)
    if parts != {len(reports)} or numbers != list(range(len(reports))):
        raise SystemExit(f"give every part's report once: found parts {numbers} of {parts}")
    merged = merge_reports(sorted(reports, key=lambda r: int(r["part"])))
    merged.pop(DELAYS_KEY, None)
    print(json.dumps(merged, sort_keys=True))
    return 0


class _DriverRun:
    """One part of the world, simulated by its own driver process against its own hub."""

    def __init__(self, part: int, process: subprocess.Popen[bytes], report_file: Path) -> None:
        self.part = part
        self.process = process
        self.report_file = report_file

    def raise_if_failed(self) -> None:
        status = self.process.poll()
        if status not in (None, 0) or (status == 0 and not self.report_file.exists()):
            raise SystemExit(f"part {self.part} of the simulation failed (exit status {status})")

    def report(self) -> dict[str, Any]:
        self.process.wait()
        self.raise_if_failed()
        return dict(json.loads(self.report_file.read_text()))


@contextmanager
def _driver(path: Path, options: list[str], part: int, parts: int) -> Iterator[_DriverRun]:
    url = os.environ.get("DATABASE_URL", "")
    with ExitStack() as stack:
        database_url = ""
        if url.startswith(("postgres://", "postgresql://")):
            database_url = stack.enter_context(scratch_database(url, str(part)))
        # In memory where the system offers it: the clock is rewritten at every step, and
        # the throw-away database needs no durability.
        memory = Path("/dev/shm")
        parent = str(memory) if memory.is_dir() and os.access(memory, os.W_OK) else None
        tmp = Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="icalbridge-sim-", dir=parent))
        )
        port = free_port()
        env = hub_environment(port, tmp / "clock")
        env["ICALBRIDGE_DATA_DIR"] = str(tmp)
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        report_file = tmp / "report.json"
        command = [sys.executable, "-m", "icalbridge.sim.driver", str(path)]
        command += ["--port", str(port), "--report", str(report_file), *options]
        command += ["--part", str(part), "--parts", str(parts)]
        process = subprocess.Popen(command, env=env)
        try:
            yield _DriverRun(part, process, report_file)
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait()


def simulate_main(args: argparse.Namespace) -> int:
    """Run ``icalbridge simulate`` and print the report (one JSON object with --json)."""
    report = simulate(
        args.scenario,
        every_poll=args.every_poll,
        units=args.units,
        days=args.days,
        parts=args.parts,
        only_part=args.part,
    )
    if args.json:
        print(json.dumps(report, sort_keys=True))
        return 0
    width = max(len(k) for k in report)
    for key in (*_HEADLINE, *sorted(set(report) - set(_HEADLINE))):
        print(f"{key:<{width}}  {report[key]}")
    return 0
