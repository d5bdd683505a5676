"""The hub's clock: the real one, or a virtual one that a simulation drives.

When ``ICALBRIDGE_CLOCK_FILE`` names a file, every process of the hub (web server, workers)
reads the time from it: an ISO 8601 instant the simulator moves forward. Otherwise it is
the system clock. Everything in the hub that asks "what time is it" asks here, with three
deliberate exceptions that count the machine's own seconds: the login lockout
(``login_lockout``) and the API rate limits (``api.rate_limits``), because a throttle that a
moved clock could lift protects nothing, and a backup's ``created_at`` stamp. ``icalbridge
inspect`` runs without the hub, so it takes today from the machine too.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from django.utils import timezone

CLOCK_FILE_VARIABLE = "ICALBRIDGE_CLOCK_FILE"

_cache: tuple[float, datetime] | None = None


def now() -> datetime:
    """Return the current instant, aware, in UTC."""
    path = os.environ.get(CLOCK_FILE_VARIABLE)
    if not path:
        return timezone.now()
    return _virtual_now(Path(path))


def _virtual_now(path: Path) -> datetime:
    global _cache
    stamp = path.stat().st_mtime_ns
    if _cache is None or _cache[0] != stamp:
        _cache = (stamp, datetime.fromisoformat(path.read_text().strip()))
    return _cache[1]


def set_virtual_now(path: Path, instant: datetime) -> None:
    """Move a virtual clock: write the instant atomically, so readers never see half of it."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(instant.isoformat())
    os.replace(temporary, path)
