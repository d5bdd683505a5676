"""The worker: claim due channels and hand them to the queue, until told to stop."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections

from icalbridge import clock
from icalbridge.sync.claims import claim_due_channels
from icalbridge.sync.queue import create_consumer, enqueue_import

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class Scheduler:
    """Every ``tick_s`` seconds, claim the channels that are due and enqueue their imports."""

    def __init__(self, owner: str, *, tick_s: float | None = None, batch: int = 50) -> None:
        self.owner = owner
        self.tick_s = settings.ICALBRIDGE_SCHEDULER_TICK_S if tick_s is None else tick_s
        self.batch = batch
        self.stopping = threading.Event()

    def tick(self) -> int:
        """Claim and enqueue what is due now; return how many channels were claimed."""
        close_old_connections()
        claimed = claim_due_channels(clock.now(), self.owner, limit=self.batch)
        for channel_id in claimed:
            enqueue_import(channel_id, self.owner)
        return len(claimed)

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                claimed = self.tick()
            except Exception:
                log.exception("the scheduler could not claim due channels; retrying")
                claimed = 0
            # A full batch means more may be due: claim again without waiting.
            if claimed < self.batch:
                self.stopping.wait(self.tick_s)


def run_worker(threads: int) -> None:
    """Run a scheduler thread and a queue consumer until SIGTERM or SIGINT."""
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
