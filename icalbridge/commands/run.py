"""``icalbridge run``: migrate, then the web server (granian) and one worker in this process."""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext as _

from icalbridge.commands.web_server import web_server_command
from icalbridge.commands.worker import run_worker
from icalbridge.demo.load import DEMO_EMAIL, DEMO_PASSWORD, load_demo_if_empty


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


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to stop this process (the web server) when ``parent`` dies.

    Runs in the child between fork and exec: a ``kill -9`` of ``icalbridge run`` cannot
    unwind through its ``finally``, and the web server went on holding the port and the
    database. SIGTERM lets the server stop its own workers as on any clean stop.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _port_is_taken(host: str, port: int) -> bool:
    """Return whether another process already listens on ``host:port``."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.errno == errno.EADDRINUSE
    return False


def _cli_language() -> str:
    """Return the language of the person at the terminal (LANGUAGE, LC_ALL, LC_MESSAGES, LANG)."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return "en" if value.lower().startswith("en") else "fr"
    return "fr"


def _stop(web: subprocess.Popen[bytes]) -> None:
    web.terminate()
    try:
        web.wait(timeout=15)
    except subprocess.TimeoutExpired:
        web.kill()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def run(*, host: str, port: int, demo: bool, web_workers: int) -> int:
    if _port_is_taken(host, port):
        with translation.override(_cli_language()):
            message = _(
                "Port %(port)s on %(host)s is already in use: another program (perhaps another "
                "icalbridge) serves there. Stop it, or choose another port with --port."
            ) % {"port": port, "host": host}
        print(message, file=sys.stderr)
        return 1
    call_command("migrate", interactive=False, verbosity=0)
    base_url = f"http://{host}:{port}"
    demo_loaded = demo and load_demo_if_empty(f"http://127.0.0.1:{port}")
    # Until the worker takes SIGTERM over, a stop would kill this process at once and
    # leave the web server serving on its own: make it unwind through the finally below.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    web: subprocess.Popen[bytes] | None = None
    watch: _WebServerWatch | None = None
    try:
        parent = os.getpid()
        web = subprocess.Popen(
            web_server_command(f"{host}:{port}", workers=web_workers),
            env=os.environ.copy(),
            # Runs in the child before exec; no other thread of ours exists yet.
            preexec_fn=lambda: _die_with_parent(parent),
        )
        if not _wait_for_port(host, port, web, timeout=30):
            with translation.override(_cli_language()):
                message = _("The web server could not start on %(host)s:%(port)s.") % {
                    "host": host,
                    "port": port,
                }
            print(message, file=sys.stderr)
            return 1
        print(f"\nicalbridge is running at {base_url}/", flush=True)
        if demo:
            note = "" if demo_loaded else " (if you have not changed it)"
            print(f"  demo login: {DEMO_EMAIL}  password: {DEMO_PASSWORD}{note}", flush=True)
        print("  stop with Ctrl+C\n", flush=True)
        watch = _WebServerWatch(web)
        run_worker(threads=4)
        if watch.died:
            with translation.override(_cli_language()):
                message = _("The web server stopped (exit code %(code)s): icalbridge stops too.")
            print(message % {"code": web.returncode}, file=sys.stderr)
            return 1
    finally:
        if watch is not None:
            watch.stopping = True
        if web is not None:
            _stop(web)
    return 0


class _WebServerWatch:
    """Stop the hub (SIGTERM to this process) when its web server exits on its own.

    Without it, a web server that failed after starting (a port taken in between, a crash)
    left a hub that imports but answers nobody, and a service manager saw nothing wrong.
    """

    def __init__(self, web: subprocess.Popen[bytes]) -> None:
        self.web = web
        self.died = False
        self.stopping = False
        threading.Thread(target=self._watch, name="web-server-watch", daemon=True).start()

    def _watch(self) -> None:
        self.web.wait()
        if not self.stopping:
            self.died = True
            os.kill(os.getpid(), signal.SIGTERM)
