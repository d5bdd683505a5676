"""The web server command that serves the pages, the API and the feeds, in one place.

``icalbridge run`` starts it, and the benchmarks measure exactly what it starts. granian
serves by default: measured in one run against gunicorn's threaded workers (bench B1,
docs/benchmarks.md), it answered the export link several times faster on the same cores.
gunicorn stays a choice the benchmark can name, so that the comparison can be made again.
"""

from __future__ import annotations

import sys
from typing import Literal

WebServer = Literal["granian", "gunicorn"]
WEB_SERVERS: tuple[WebServer, ...] = ("granian", "gunicorn")
THREADS_PER_WORKER = 4


def web_server_command(
    bind: str,
    *,
    workers: int,
    app: str = "icalbridge.wsgi:application",
    server: WebServer = "granian",
) -> list[str]:
    """Return the command that serves the pages, the API and the feeds on ``host:port``."""
    if server == "gunicorn":
        return _gunicorn(bind, workers=workers, app=app)
    host, _, port = bind.rpartition(":")
    return [
        sys.executable,
        "-m",
        "granian",
        app,
        "--interface=wsgi",
        f"--host={host}",
        f"--port={port}",
        f"--workers={workers}",
        f"--blocking-threads={THREADS_PER_WORKER}",
        "--log-level=warning",
        "--no-ws",
        # As gunicorn did: a worker that dies is replaced, instead of the server stopping.
        "--respawn-failed-workers",
        # A worker that does not stop within this time is killed: a stop never hangs.
        "--workers-kill-timeout=10",
    ]


def _gunicorn(bind: str, *, workers: int, app: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        f"--bind={bind}",
        f"--workers={workers}",
        "--worker-class=gthread",
        f"--threads={THREADS_PER_WORKER}",
        "--log-level=warning",
        # Else gunicorn 25.1+ makes a control socket in $HOME, shared by every hub the
        # user starts: the second one logs an error, and nothing of ours uses it.
        "--no-control-socket",
    ]
