"""The gunicorn command that serves the pages, the API and the feeds, in one place.

``icalbridge run`` starts it, and the benchmarks measure exactly what it starts.
"""

from __future__ import annotations

import sys


def web_server_command(
    bind: str, *, workers: int, app: str = "icalbridge.wsgi:application"
) -> list[str]:
    """Return the command that serves the pages, the API and the feeds with gunicorn."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        f"--bind={bind}",
        f"--workers={workers}",
        "--worker-class=gthread",
        "--threads=4",
        "--log-level=warning",
        # Else gunicorn 25.1+ makes a control socket in $HOME, shared by every hub the
        # user starts: the second one logs an error, and nothing of ours uses it.
        "--no-control-socket",
    ]
