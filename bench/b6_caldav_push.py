"""B6: from the API call that changes a booking to the event on a CalDAV server.

Run: .venv/bin/python -m bench.b6_caldav_push [--changes 100]
`icalbridge run` (web server and worker, SQLite and its queue, the defaults) and a Radicale
server (tests/support/radicale.py, htpasswd logins) on loopback. One agenda feed is pushed
into one calendar. First ``--changes`` changes alternately add a one-hour booking (POST) and
cancel it (DELETE), each timed from the start of the API call until the event is on the
server (a GET of its resource answers 200), or gone from it (404). Then ``--changes`` moves
of one lesson (PATCH with new times, a different hour each time), each timed from the start
of the API call until a GET of the event answers it at its new time. Prints p50, p99 and
the longest of each, with the load average.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import icalendar

from bench.support import (
    PYTHON,
    REPO,
    free_port,
    icalbridge_env,
    load_average,
    percentile,
    print_header,
    stop_process,
    wait_for_port,
)
from icalbridge.core.caldav_plan import resource_name
from tests.support.radicale import PASSWORD, USER, Radicale

TIMEOUT_S = 30.0
LESSON = timedelta(hours=1)


def _ahead(days: int) -> datetime:
    """Return 8:00 UTC some days ahead: the API refuses a lesson entered in the past."""
    day = date.today() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, 8, tzinfo=UTC)


_LOGIN = ("--password", "bench-pass-phrase-42", "--api-token")


def _token(env: dict[str, str]) -> str:
    done = subprocess.run(
        [PYTHON, "-m", "icalbridge.cli", "createuser", "teacher@example.test", *_LOGIN],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return done.stdout.decode().strip().splitlines()[-1]


def _wait(check: httpx.Client, url: str, status: int) -> float:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if check.get(url).status_code == status:
            return time.monotonic()
        time.sleep(0.005)
    raise TimeoutError(f"{url} did not answer {status} within {TIMEOUT_S:g} s")


def _wait_for_start(check: httpx.Client, url: str, start: datetime) -> float:
    """Return when the event at ``url`` starts at ``start`` (read as any client reads it)."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        answer = check.get(url)
        if answer.status_code == 200:
            event = icalendar.Calendar.from_ical(answer.content).walk("VEVENT")[0]
            if event.decoded("DTSTART") == start:
                return time.monotonic()
        time.sleep(0.005)
    raise TimeoutError(f"{url} did not start at {start.isoformat()} within {TIMEOUT_S:g} s")


def _summary(what: str, timings: list[float]) -> str:
    ms = [t * 1000 for t in timings]
    return (
        f"{len(ms)} {what}: p50 {percentile(ms, 50):.0f} ms, p99 {percentile(ms, 99):.0f} ms, "
        f"longest {max(ms):.0f} ms (load average {load_average()})"
    )


def _time_moves(
    api: httpx.Client, check: httpx.Client, unit: str, calendar: str, count: int
) -> list[float]:
    """Move one lesson ``count`` times; return the time of each until it shows moved."""
    first = _ahead(56)
    body = {"kind": "reserved", "start": first.isoformat(), "end": (first + LESSON).isoformat()}
    lesson = api.post(f"/units/{unit}/bookings", json=body).json()
    url = calendar + resource_name(f"{lesson['id']}@icalbridge")
    _wait(check, url, 200)
    timings: list[float] = []
    for index in range(1, count + 1):
        # Another day and hour each time: 8:00 to 19:00 over the following weeks.
        when = first + timedelta(days=index // 12, hours=index % 12)
        move = {"start": when.isoformat(), "end": (when + LESSON).isoformat()}
        began = time.monotonic()
        assert api.patch(f"/bookings/{lesson['id']}", json=move).status_code == 200
        timings.append(_wait_for_start(check, url, when) - began)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=100)
    args = parser.parse_args()
    print_header("B6: a booking changed through the API, until the event is on the CalDAV server")
    work = Path(tempfile.mkdtemp(prefix="icalbridge-bench-b6-"))
    radicale = Radicale(work / "radicale")
    radicale.folder.mkdir()
    radicale.start()
    port = free_port()
    env = icalbridge_env(f"sqlite:///{work / 'hub.sqlite3'}", work / "data")
    env["ICALBRIDGE_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    hub = subprocess.Popen(
        [PYTHON, "-m", "icalbridge.cli", "run", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=(work / "hub.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, 60)  # `run` has migrated the database by then
        token = _token(env)
        api = httpx.Client(
            base_url=f"http://127.0.0.1:{port}/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        unit = api.post("/units", json={"name": "Salle 1", "timezone": "Europe/Paris"}).json()
        agenda = api.post("/agenda-feeds", json={"name": "Cours"}).json()
        calendar = radicale.new_calendar()
        answer = api.put(
            f"/agenda-feeds/{agenda['id']}/caldav",
            json={"url": calendar, "username": USER, "password": PASSWORD},
        ).json()
        print(f"push set up: {answer['state']} ({answer['message']})")
        check = httpx.Client(auth=(USER, PASSWORD), timeout=10)
        timings: list[float] = []
        start = _ahead(28)
        booking: dict[str, str] | None = None
        for index in range(args.changes):
            if booking is None:
                when = start + timedelta(hours=index)
                body = {
                    "kind": "reserved",
                    "start": when.isoformat(),
                    "end": (when + LESSON).isoformat(),
                }
                began = time.monotonic()
                booking = api.post(f"/units/{unit['id']}/bookings", json=body).json()
                url = calendar + resource_name(f"{booking['id']}@icalbridge")
                timings.append(_wait(check, url, 200) - began)
            else:
                url = calendar + resource_name(f"{booking['id']}@icalbridge")
                began = time.monotonic()
                assert api.delete(f"/bookings/{booking['id']}").status_code == 204
                timings.append(_wait(check, url, 404) - began)
                booking = None
        print(_summary("changes (added or cancelled)", timings))
        moves = _time_moves(api, check, unit["id"], calendar, args.changes)
        print(_summary("moves", moves))
    finally:
        stop_process(hub)
        radicale.stop()


if __name__ == "__main__":
    main()
