"""The worker: claim due channels and hand them to the queue, until told to stop."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connections

from icalbridge import clock
from icalbridge.alerts.deliver import deliver_due_alerts
from icalbridge.sync.caldav_push import enqueue_due_pushes
from icalbridge.sync.claims import claim_due_channels
from icalbridge.sync.import_tasks import enqueue_import
from icalbridge.sync.queue import create_consumer, queue_length

log = logging.getLogger(__name__)

# While channels are waiting, look again soon instead of after a whole tick.
BUSY_TICK_S = 0.2


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class Scheduler:
    """Every ``tick_s`` seconds, claim the channels that are due and enqueue their imports."""

    def __init__(self, owner: str, *, tick_s: float | None = None, batch: int = 50) -> None:
        self.owner = owner
        self.tick_s = settings.ICALBRIDGE_SCHEDULER_TICK_S if tick_s is None else tick_s
        self.batch = batch
        self.stopping = threading.Event()
        self.alerts_every_s = settings.ICALBRIDGE_ALERTS_EVERY_S
        self.alerts_sent_at = -float("inf")

    def tick(self) -> bool:
        """Claim and enqueue what is due now; return whether more may be waiting."""
        close_old_connections()
        self.deliver_alerts_now_and_then()
        # Pushed calendars whose reconciliation, retry or removal is due.
        enqueue_due_pushes(clock.now())
        # Claim only what the queue can take soon: a claim waiting in a long queue would
        # expire before its import starts, and be claimed again for nothing.
        room = self.batch - queue_length()
        if room <= 0:
            return True
        claimed = claim_due_channels(clock.now(), self.owner, limit=room)
        for channel_id in claimed:
            enqueue_import(channel_id, self.owner)
        return len(claimed) == room

    def deliver_alerts_now_and_then(self) -> None:
        """Send the due alerts, at most once per ``alerts_every_s`` even while imports keep it busy."""
        if time.monotonic() - self.alerts_sent_at < self.alerts_every_s:
            return
        self.alerts_sent_at = time.monotonic()
        try:
            deliver_due_alerts(clock.now())
        except Exception:
            # An alert that cannot go out (mail server down, a bug) must never stop imports.
            log.exception("could not deliver the due alerts; retrying at the next tick")

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                busy = self.tick()
            except Exception:
                log.exception("the scheduler could not claim due channels; retrying")
                busy = False
            self.stopping.wait(BUSY_TICK_S if busy else self.tick_s)


def keep_database_connections() -> None:
    """Let each of this process's threads keep its database connection from one import to the next.

    ``DB_CONN_MAX_AGE`` (0: a connection per web request) made every import connect anew:
    on PostgreSQL a new server process, the session settings, and more of the worker's
    CPU than an unchanged import's own queries. A kept connection is checked before each
    import reuses it (``CONN_HEALTH_CHECKS``), so a restarted database costs a reconnect,
    never a failed import.
    """
    for alias in connections:
        database = connections[alias].settings_dict
        database["CONN_MAX_AGE"] = None
        database["CONN_HEALTH_CHECKS"] = True


def run_worker(threads: int) -> None:
    """Run a scheduler thread and a queue consumer until SIGTERM or SIGINT."""
    keep_database_connections()
    scheduler = Scheduler(worker_name())
    thread = threading.Thread(target=scheduler.run, name="icalbridge-scheduler", daemon=True)
    thread.start()
    log.info("worker %s started with %d import threads", scheduler.owner, threads)
    try:
        create_consumer(threads).run()
    finally:
        scheduler.stopping.set()
        thread.join(timeout=10)
        log.info("worker %s stopped", scheduler.owner)
