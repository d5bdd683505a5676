"""The one place that knows background work runs on Huey.

SqliteHuey beside the database by default (no server to install), RedisHuey when
``REDIS_URL`` is set; the task code is the same. Keeping every enqueue behind this module
keeps a later move to another task framework cheap. The tasks import their work when they
run: the exporter enqueues pushes from here, and the importer imports the exporter.
"""

from __future__ import annotations

import os
import socket
import threading

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


@huey.task()
def import_claimed_channel(channel_id: int, owner: str) -> None:
    """Import a channel this worker claimed, then give the claim back."""
    from icalbridge.sync.imports_now import import_claimed

    import_claimed(channel_id, owner)


# Ahead of imports: a push is a few quick writes that a person waits for, and must not
# queue behind a round of imports.
@huey.task(priority=10)
def push_agenda(push_id: int, full: bool) -> None:
    """Bring an agenda feed's CalDAV calendar up to date (in full: read the server too)."""
    from icalbridge.sync.caldav_push import run_push

    run_push(push_id, full, f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident()}")


def enqueue_import(channel_id: int, owner: str) -> None:
    import_claimed_channel(channel_id, owner)


def enqueue_push(push_id: int, full: bool) -> None:
    push_agenda(push_id, full)


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
