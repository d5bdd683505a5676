"""The queue's push task: bring an agenda feed's CalDAV calendar up to date."""

from __future__ import annotations

import os
import socket
import threading

from icalbridge.sync.caldav_pass import run_push
from icalbridge.sync.queue import huey


# Ahead of imports: a push is a few quick writes that a person waits for, and must not
# queue behind a round of imports.
@huey.task(priority=10)
def push_agenda(push_id: int, full: bool) -> None:
    """Bring an agenda feed's CalDAV calendar up to date (in full: read the server too)."""
    run_push(push_id, full, f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident()}")


def enqueue_push(push_id: int, full: bool) -> None:
    push_agenda(push_id, full)
