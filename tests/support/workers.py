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

from django.db import connection

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
