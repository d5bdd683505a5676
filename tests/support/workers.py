"""Start real ``icalbridge worker`` processes against the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection

from tests.conftest import REPO


def test_database_url() -> str:
    """Return a DATABASE_URL naming the database the current test runs on."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(data_dir: Path, **env: str) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "ICALBRIDGE_DATA_DIR": str(data_dir),
        "ICALBRIDGE_ALLOW_PRIVATE_URLS": "127.0.0.1/32",
        "ICALBRIDGE_SCHEDULER_TICK_S": "0.2",
        "ICALBRIDGE_QUEUE_MAX_DELAY_S": "0.2",
        "ICALBRIDGE_LOG_LEVEL": "ERROR",
        "REDIS_URL": "",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "icalbridge.cli", "worker", "--threads", "4"],
        env=environment,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stop_worker(worker: subprocess.Popen[bytes], *, kill: bool = False) -> str:
    """Stop a worker (SIGTERM, or SIGKILL with ``kill``) and return what it printed."""
    worker.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    output, _ = worker.communicate(timeout=30)
    return output.decode(errors="replace")


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.3) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
