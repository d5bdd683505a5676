"""``icalbridge run``: hubs side by side serve quietly, and a stopped hub stops its web server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from icalbridge.sim.hub_process import free_port
from tests.conftest import REPO
from tests.support.workers import wait_until


def start_hub(data_dir: Path, home: Path, port: int) -> tuple[subprocess.Popen[bytes], Path]:
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "HOME": str(home),
        "ICALBRIDGE_DATA_DIR": str(data_dir),
    }
    log = data_dir / "run.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "icalbridge.cli", "run", f"--port={port}", "--web-workers=1"],
            env=environment,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return process, log


def answers_health(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_two_hubs_on_one_machine_both_serve_and_print_no_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    hubs = []
    for name in ("first", "second"):
        data_dir = tmp_path / name
        data_dir.mkdir()
        port = free_port()
        hubs.append((*start_hub(data_dir, home, port), port))
    try:
        for _process, _log, port in hubs:
            assert wait_until(lambda port=port: answers_health(port), timeout=60)
    finally:
        for process, _log, _port in hubs:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    for _process, log, _port in hubs:
        output = log.read_text(errors="replace")
        assert "is running at" in output
        assert "ERROR" not in output, output
    # Nothing of ours is left in the user's home, where a second hub would trip on it.
    assert list(home.iterdir()) == []


def processes_serving(port: int) -> list[int]:
    """Return the ids of the processes started to serve on this port (gunicorn's)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if f"--bind=127.0.0.1:{port}".encode() in command:
            found.append(int(entry.name))
    return found


def test_a_hub_stopped_while_it_starts_leaves_no_web_server_behind(tmp_path: Path) -> None:
    port = free_port()
    process, _log = start_hub(tmp_path, tmp_path, port)
    try:
        assert wait_until(lambda: processes_serving(port), timeout=60, step=0.05)
        # Stopped before its web server answers, as a service manager may do at any time.
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    stopped = wait_until(lambda: not processes_serving(port), timeout=30)
    for orphan in processes_serving(port):
        os.kill(orphan, signal.SIGKILL)
    assert stopped, "the web server was left running"
