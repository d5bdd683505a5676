"""B6: from the API call that changes a booking to the event on a CalDAV server.

Run: .venv/bin/python -m bench.b6_caldav_push [--changes 100]
`icalbridge run` (web server and worker, SQLite and its queue, the defaults) and a Radicale
server (tests/support/radicale.py, htpasswd logins) on loopback. One agenda feed is pushed
into one calendar; each change alternately adds a one-hour booking (POST) and cancels it
(DELETE), and the time is taken from the start of the API call until the event is on the
server (a GET of its resource answers 200), or gone from it (404). Prints p50, p99 and the
longest, with the load average.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

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
        start = datetime(2027, 1, 4, 8, tzinfo=UTC)
        booking: dict[str, str] | None = None
        for index in range(args.changes):
            if booking is None:
                when = start + timedelta(hours=index)
                body = {
                    "kind": "reserved",
                    "start": when.isoformat(),
                    "end": (when + timedelta(hours=1)).isoformat(),
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
        ms = [t * 1000 for t in timings]
        print(
            f"{len(ms)} changes: p50 {percentile(ms, 50):.0f} ms, p99 {percentile(ms, 99):.0f} ms, "
            f"longest {max(ms):.0f} ms (load average {load_average()})"
        )
    finally:
        stop_process(hub)
        radicale.stop()


if __name__ == "__main__":
    main()
