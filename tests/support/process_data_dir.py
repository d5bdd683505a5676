"""Give each process of a parallel test run a data folder of its own.

Loaded with ``-p`` (see pyproject.toml), before Django reads its settings: the queue file,
the secret key and the test database live in the data folder, and two processes sharing
one queue see each other's tasks (a health check counted another process's imports).
"""

from __future__ import annotations

import os
from pathlib import Path

_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    _base = Path(os.environ.get("ICALBRIDGE_DATA_DIR") or Path(__file__).parents[2] / "var")
    os.environ["ICALBRIDGE_DATA_DIR"] = str(_base / f"process-{_worker}")
