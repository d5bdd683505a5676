"""Start real ``icalbridge worker`` processes against the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.db import connection
from huey import RedisHuey, SqliteHuey

from icalbridge.hub.models import Channel
from tests.conftest import REPO


def current_database_url() -> str:
    """Return a DATABASE_URL naming the database the current test runs on."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Worker:
    """A worker process and the file its output goes to.

    A file, not a pipe: with no mail server set, alert e-mails are printed, and a pipe
    nobody reads until the end fills up and blocks the worker mid-import.
    """

    process: subprocess.Popen[bytes]
    log: Path

    @property
    def returncode(self) -> int | None:
        return self.process.returncode


def start_worker(data_dir: Path, **env: str) -> Worker:
    environment = {
        **os.environ,
        "DATABASE_URL": current_database_url(),
        "ICALBRIDGE_DATA_DIR": str(data_dir),
        "ICALBRIDGE_ALLOW_PRIVATE_URLS": "127.0.0.1/32",
        "ICALBRIDGE_SCHEDULER_TICK_S": "0.2",
        "ICALBRIDGE_QUEUE_MAX_DELAY_S": "0.2",
        "ICALBRIDGE_LOG_LEVEL": "ERROR",
        "REDIS_URL": "",
        **env,
    }
    log = Path(tempfile.mkstemp(dir=data_dir, prefix="worker-", suffix=".log")[1])
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "icalbridge.cli", "worker", "--threads", "4"],
            env=environment,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Worker(process, log)


def stop_worker(worker: Worker, *, kill: bool = False) -> str:
    """Stop a worker (SIGTERM, or SIGKILL with ``kill``) and return what it printed."""
    worker.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    worker.process.wait(timeout=30)
    return worker.log.read_text(errors="replace")


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.3) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def pending_imports(data_dir: Path, redis_url: str = "") -> int:
    """Return how many imports wait in the queue the workers started on ``data_dir`` use."""
    if redis_url:
        return int(RedisHuey("icalbridge", url=redis_url).pending_count())
    queue = SqliteHuey("icalbridge", filename=str(data_dir / "queue.sqlite3"))
    return int(queue.pending_count())


def wait_until_workers_are_idle(data_dir: Path, timeout: float, redis_url: str = "") -> bool:
    """Wait until no channel is claimed and no import waits in the queue.

    A claim is given back only when its import has ended, and a channel just imported is
    not due again before its next poll: once no claim is held and the queue is empty, no
    further import can start, so a duplicate import would already be among the runs.
    """
    return wait_until(
        lambda: (
            not Channel.objects.filter(claimed_until__isnull=False).exists()
            and pending_imports(data_dir, redis_url) == 0
        ),
        timeout,
    )


@dataclass
class WebServer:
    """The web server as ``icalbridge run`` starts it, on the test database."""

    process: subprocess.Popen[bytes]
    log: Path
    port: int

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def start_web_server(data_dir: Path, port: int, *, workers: int = 1, **env: str) -> WebServer:
    from icalbridge.commands.web_server import web_server_command

    environment = {
        **os.environ,
        "DATABASE_URL": current_database_url(),
        "ICALBRIDGE_DATA_DIR": str(data_dir),
        "ICALBRIDGE_LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
        **env,
    }
    log = Path(tempfile.mkstemp(dir=data_dir, prefix="web-", suffix=".log")[1])
    with log.open("wb") as output:
        process = subprocess.Popen(
            web_server_command(f"127.0.0.1:{port}", workers=workers),
            env=environment,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return WebServer(process, log, port)


def processes_of(server: WebServer) -> set[int]:
    """The server's process and all its descendants (its web workers), read from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name may hold spaces and parentheses: the fields follow the last ")".
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process ended meanwhile
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    family = {server.process.pid}
    while grown := {pid for pid, parent in parents.items() if parent in family} - family:
        family |= grown
    return family


def web_server_answers(server: WebServer) -> bool:
    """Tell whether the server answers its health check yet."""
    try:
        return httpx.get(server.url("/healthz"), timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def stop_web_server(server: WebServer) -> str:
    """Stop the web server as a service manager does (SIGTERM) and return what it printed."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    return server.log.read_text(errors="replace")
