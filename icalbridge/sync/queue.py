"""The queue background work runs on: Huey.

SqliteHuey beside the database by default (no server to install), RedisHuey when
``REDIS_URL`` is set; the task code is the same. Only this module and the two task modules
(``sync/import_tasks``, ``sync/push_tasks``, each an enqueue function and its task) know
Huey, which keeps a later move to another task framework cheap. The tasks live beside their
work and not here: an export enqueues a push, and an import exports, so one module holding
every task would import what imports it back.
"""

from __future__ import annotations

from django.conf import settings
from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer


def _make_huey() -> Huey:
    immediate = bool(getattr(settings, "ICALBRIDGE_QUEUE_IMMEDIATE", False))
    if settings.REDIS_URL:
        return RedisHuey("icalbridge", url=settings.REDIS_URL, immediate=immediate)
    return SqliteHuey(
        "icalbridge", filename=str(settings.HUEY_QUEUE_FILE), immediate=immediate, timeout=20
    )


huey = _make_huey()


def queue_length() -> int:
    return huey.pending_count()


def create_consumer(threads: int) -> Consumer:
    """Return a Huey consumer whose SIGTERM finishes the imports under way, then stops."""
    return huey.create_consumer(
        workers=threads,
        worker_type="thread",
        periodic=False,
        graceful_signal="TERM",
        initial_delay=0.05,
        max_delay=settings.ICALBRIDGE_QUEUE_MAX_DELAY_S,
    )
