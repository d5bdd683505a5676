"""Run the real hub (web server and worker) on a virtual clock, and wait for it to be idle."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from django.db import connection
from django.db.models import Q

from icalbridge import clock
from icalbridge.hub.models import Channel
from icalbridge.sim.hub_variables import PARENT_VARIABLE


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def hub_environment(port: int, clock_file: Path) -> dict[str, str]:
    """Return the environment every hub process runs with under simulation."""
    tuning = {
        "ICALBRIDGE_SCHEDULER_TICK_S": "0.005",
        "ICALBRIDGE_QUEUE_MAX_DELAY_S": "0.005",
        # Alerts a step or two of the simulation late, instead of at every 5 ms tick, where
        # looking for them cost as much as the imports themselves.
        "ICALBRIDGE_ALERTS_EVERY_S": "0.05",
        "ICALBRIDGE_LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "600",
        # Fetch records written at once: the world waits for each (see World.platform_poll).
        "ICALBRIDGE_FETCH_RECORD_GATHER_S": "0",
    }
    return {
        **tuning,
        **os.environ,
        clock.CLOCK_FILE_VARIABLE: str(clock_file),
        "ICALBRIDGE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "ICALBRIDGE_ALLOW_PRIVATE_URLS": "127.0.0.1/32",
        "REDIS_URL": "",
    }


class HubProcess:
    """``icalbridge run`` in a process group of its own; only its clock is driven from here."""

    def __init__(self, port: int, clock_file: Path) -> None:
        self.port = port
        self.clock_file = clock_file
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "icalbridge.sim_hub", "run"]
        command += ["--port", str(self.port), "--web-workers", "2"]
        self._process = subprocess.Popen(
            command,
            env={**hub_environment(self.port, self.clock_file), PARENT_VARIABLE: str(os.getpid())},
            start_new_session=True,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError("the hub stopped while starting")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the hub's web server did not start within 60 s")

    def set_clock(self, instant: datetime) -> None:
        clock.set_virtual_now(self.clock_file, instant)

    def wait_until_idle(self, instant: datetime, timeout_s: float) -> None:
        """Wait until no channel is due at ``instant`` and no import is under way."""
        busy = (
            Channel.objects.filter(is_active=True)
            .exclude(import_url="")
            .filter(Q(next_poll_at__lte=instant) | Q(claimed_until__isnull=False))
        )
        # Compiled once: the loop runs every few milliseconds while the hub works, on the
        # cores the hub needs.
        sql, params = busy.values("id")[:1].query.sql_with_params()
        deadline = time.monotonic() + timeout_s
        pause = 0.002
        with connection.cursor() as cursor:
            while True:
                cursor.execute(sql, params)
                if not cursor.fetchall():  # to the end: no read left open between polls
                    return
                if self._process is not None and self._process.poll() is not None:
                    raise RuntimeError("the hub stopped during the simulation")
                if time.monotonic() > deadline:
                    stuck = list(busy.values_list("id", flat=True))
                    raise RuntimeError(
                        f"the hub did not finish the imports due at {instant} within"
                        f" {timeout_s:.0f} s: {len(stuck)} channels left, ids {stuck[:10]}"
                    )
                time.sleep(pause)
                pause = min(pause * 1.5, 0.005)

    def wait_until_fetches_recorded(self, expected: dict[int, int], timeout_s: float) -> None:
        """Wait until the hub has recorded, per channel, the fetches of its export counted."""
        deadline = time.monotonic() + timeout_s
        pause = 0.001
        while True:
            counts = dict(
                Channel.objects.filter(pk__in=list(expected)).values_list(
                    "id", "export_fetch_count"
                )
            )
            missing = {ch: n for ch, n in expected.items() if counts.get(ch, 0) < n}
            if not missing:
                return
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError("the hub stopped during the simulation")
            if time.monotonic() > deadline:
                channel_id, count = next(iter(missing.items()))
                raise RuntimeError(
                    f"the hub did not record fetch {count} of channel {channel_id} "
                    f"within {timeout_s:.0f} s ({len(missing)} channels behind)"
                )
            time.sleep(pause)
            pause = min(pause * 1.5, 0.005)

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
