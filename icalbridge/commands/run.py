"""``icalbridge run``: migrate, then the web server (gunicorn) and one worker in this process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from django.core.management import call_command

from icalbridge.commands.web_server import web_server_command
from icalbridge.demo.load import DEMO_EMAIL, DEMO_PASSWORD, load_demo_if_empty
from icalbridge.sync.worker import run_worker


def _wait_for_port(host: str, port: int, process: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _stop(web: subprocess.Popen[bytes]) -> None:
    web.terminate()
    try:
        web.wait(timeout=15)
    except subprocess.TimeoutExpired:
        web.kill()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def run(*, host: str, port: int, demo: bool, web_workers: int) -> int:
    call_command("migrate", interactive=False, verbosity=0)
    base_url = f"http://{host}:{port}"
    demo_loaded = demo and load_demo_if_empty(f"http://127.0.0.1:{port}")
    # Until the worker takes SIGTERM over, a stop would kill this process at once and
    # leave gunicorn serving on its own: make it unwind through the finally below.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    web: subprocess.Popen[bytes] | None = None
    try:
        web = subprocess.Popen(
            web_server_command(f"{host}:{port}", workers=web_workers), env=os.environ.copy()
        )
        if not _wait_for_port(host, port, web, timeout=30):
            print(f"The web server could not start on {host}:{port}.", file=sys.stderr)
            return 1
        print(f"\nicalbridge is running at {base_url}/", flush=True)
        if demo:
            note = "" if demo_loaded else " (if you have not changed it)"
            print(f"  demo login: {DEMO_EMAIL}  password: {DEMO_PASSWORD}{note}", flush=True)
        print("  stop with Ctrl+C\n", flush=True)
        run_worker(threads=4)
    finally:
        if web is not None:
            _stop(web)
    return 0
