"""``icalbridge run``: hubs side by side serve quietly, and a stopped hub stops its web server.

Killed (even with ``kill -9``), it leaves no web server holding the port and the database;
started on a port another program holds, it says so and exits non-zero.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from icalbridge.sim.hub_process import free_port
from tests.conftest import REPO
from tests.support.workers import wait_until


def start_hub(
    data_dir: Path, home: Path, port: int, **env: str
) -> tuple[subprocess.Popen[bytes], Path]:
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "HOME": str(home),
        "ICALBRIDGE_DATA_DIR": str(data_dir),
        **env,
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
    """Return the ids of the processes started to serve on this port (the web server's)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"granian" in command and f"--port={port}".encode() in command:
            found.append(int(entry.name))
    return found


def port_is_bound(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


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


def test_a_hub_killed_with_sigkill_leaves_no_web_server_and_frees_its_port(tmp_path: Path) -> None:
    port = free_port()
    process, log = start_hub(tmp_path, tmp_path, port)
    try:
        assert wait_until(lambda: answers_health(port), timeout=60), log.read_text()
        servers = processes_serving(port)
        assert servers, "the web server was not found"
        process.kill()  # kill -9: no finally, no signal handler runs in the hub
        process.wait(timeout=10)
        stopped = wait_until(lambda: not processes_serving(port), timeout=30)
        freed = wait_until(lambda: not port_is_bound(port), timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        for orphan in processes_serving(port):
            os.kill(orphan, signal.SIGKILL)
    assert stopped, "the web server outlived its hub"
    assert freed, "the port is still held"


@pytest.mark.parametrize(
    ("lang", "said"), [("en_GB.UTF-8", "already in use"), ("fr_FR.UTF-8", "déjà utilisé")]
)
def test_a_hub_started_on_a_taken_port_says_so_and_exits_non_zero(
    tmp_path: Path, lang: str, said: str
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process, log = start_hub(tmp_path, tmp_path, port, LANG=lang, LC_ALL="", LANGUAGE="")
        try:
            code = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    output = log.read_text(errors="replace")
    assert code != 0, output
    assert said in output and str(port) in output, output
    assert "is running at" not in output
