"""Record platforms' fetches of their export feeds later, in small batches, never losing one.

Echo detection (docs/domain.md rule 8) reads which version each platform got at its last two
fetches, and the channel's status shows when and by whom it was last fetched. Writing that
record inside the request made every export link wait for the database's write lock: a
long import elsewhere turned platforms' fetches into 500s after 20 s. Now a request only
queues the record; one thread per process writes the queue within about a second, in
short transactions of at most ``BATCH_SIZE`` records, retries while the database is busy,
and writes what is left when the process stops cleanly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.util import Finalize

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, F, Value, When

from icalbridge.core.export_status import ExportReason
from icalbridge.hub.models import Channel
from icalbridge.sync.export_loop import record_fetches

log = logging.getLogger(__name__)

SERVED_HISTORY_LENGTH = 2
BATCH_SIZE = 50
RETRY_FIRST_S = 0.2
RETRY_MAX_S = 2.0
STOP_DEADLINE_S = 20.0


@dataclass(frozen=True)
class ExportFetch:
    """One fetch of a channel's export: which version, when, and by which platform."""

    feed_id: int
    channel_id: int
    etag: str
    nights: list[object]  # the nights of the version served, as the feed stores them
    at: datetime
    by: str


def write_fetches(fetches: list[ExportFetch]) -> None:
    """Write fetch records in one transaction, each channel's in the order they were served.

    The channels' rows are written in the order of their ids, so that the batches of two
    processes (and anything else that locks several channels in that order) wait for each
    other rather than deadlock on PostgreSQL. Each fetch also joins the export loop's facts
    (``sync.export_loop``) with its own time, not the time of writing, in one bulk insert.
    """
    with transaction.atomic():
        in_lock_order = sorted(fetches, key=lambda fetch: fetch.channel_id)  # a stable sort
        kept = [fetch for fetch in in_lock_order if _write_fetch(fetch)]
        record_fetches((f.channel_id, f.etag, f.at, f.by) for f in kept)


def _write_fetch(fetch: ExportFetch) -> bool:
    """Record a fetch on its channel; return False if the channel was removed since."""
    fetched = {
        "last_export_fetch_at": fetch.at,
        "last_export_fetch_by": fetch.by,
        "export_fetch_count": F("export_fetch_count") + 1,
        # A fetch is a new fact of the export loop: the export side is due (sync.export_loop).
        "export_check_due_at": fetch.at,
    }
    # Most fetches get the version the platform already got at its last two: the history
    # has nothing to learn, and one UPDATE records the fetch. Such a fetch cannot change an
    # export side that is ok (every night it holds was fetched twice already; the silence
    # only starts again): the side is due only when it is not ok.
    got_it_twice = {f"served_history__{i}__etag": fetch.etag for i in range(SERVED_HISTORY_LENGTH)}
    again = {
        **fetched,
        "export_check_due_at": Case(
            When(export_reason=ExportReason.OK, then=F("export_check_due_at")),
            default=Value(fetch.at),
        ),
    }
    if Channel.objects.filter(pk=fetch.channel_id, **got_it_twice).update(**again):
        return True
    channel = (
        Channel.objects.select_for_update()
        .filter(pk=fetch.channel_id)
        .only("served_history")
        .first()
    )
    if channel is None:
        return False  # the channel was removed since: nothing left to record on
    history = list(channel.served_history or [])
    settled = len(history) >= SERVED_HISTORY_LENGTH and all(
        h.get("etag") == fetch.etag for h in history[:SERVED_HISTORY_LENGTH]
    )
    if not settled:
        history = [{"etag": fetch.etag, "nights": fetch.nights}, *history][:SERVED_HISTORY_LENGTH]
    Channel.objects.filter(pk=fetch.channel_id).update(**fetched, served_history=history)
    return True


class FetchRecorder:
    """A queue of fetch records and the thread of this process that writes them."""

    def __init__(self) -> None:
        self._queue: deque[ExportFetch] = deque()
        self._queue_lock = threading.Lock()
        # Held while a batch is written, so that flush() and the thread never write twice.
        self._write_lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def record(self, fetch: ExportFetch) -> None:
        """Queue a fetch record; the writer thread stores it shortly."""
        with self._queue_lock:
            self._queue.append(fetch)
            if self._thread is None or not self._thread.is_alive():
                self._start()
        self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._queue)

    def flush(self) -> None:
        """Write every queued record now, in this thread (raises if the database refuses)."""
        while self._write_next_batch():
            pass

    def stop(self, deadline_s: float = STOP_DEADLINE_S) -> None:
        """Write what is queued, retrying while the database is busy, then stop the thread."""
        self._stopping = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread.is_alive():
            thread.join(deadline_s)
        try:
            self.flush()
        except DatabaseError:
            log.exception("%d export fetch records could not be written at stop", self.pending)

    def _start(self) -> None:
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="export-fetch-records", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        retry_s = RETRY_FIRST_S
        try:
            while True:
                self._wake.wait(timeout=1.0)
                if not self._stopping:
                    # Gathering the records of a moment lets one short transaction write the
                    # fetches of many platforms, instead of one transaction (and fsync) each.
                    time.sleep(settings.ICALBRIDGE_FETCH_RECORD_GATHER_S)
                self._wake.clear()
                try:
                    while self._write_next_batch():
                        pass
                    retry_s = RETRY_FIRST_S
                except DatabaseError as error:
                    # Busy or locked database, lost connection: the batch is back at the
                    # head of the queue; try again on a fresh connection, a bit later.
                    log.warning("export fetch records wait for the database: %s", error)
                    connection.close()
                    self._wake.clear()
                    self._wake.wait(timeout=retry_s)
                    self._wake.set()
                    retry_s = min(RETRY_MAX_S, retry_s * 2)
                    continue
                if self._stopping and not self._queue:
                    return
        finally:
            connection.close()

    def _write_next_batch(self) -> bool:
        """Write up to BATCH_SIZE records; return whether any were written."""
        with self._write_lock:
            with self._queue_lock:
                batch = [self._queue.popleft() for _ in range(min(BATCH_SIZE, len(self._queue)))]
            if not batch:
                return False
            try:
                write_fetches(batch)
            except BaseException:
                with self._queue_lock:
                    self._queue.extendleft(reversed(batch))
                raise
            return True


fetch_recorder = FetchRecorder()
# Run at a clean exit of this process, whether it is a plain one or a server's worker started
# by multiprocessing (which skips atexit handlers but runs these finalizers).
Finalize(None, fetch_recorder.stop, exitpriority=10)
