"""Per-process counters of export requests, cheap enough for the feed path."""

from __future__ import annotations

import threading


class ProcessCounter:
    """A number that only grows, shared by the threads of one process."""

    def __init__(self) -> None:
        self._value = 0
        self._lock = threading.Lock()

    def add(self) -> None:
        with self._lock:
            self._value += 1

    @property
    def value(self) -> int:
        return self._value


# Counted in icalbridge.feeds.serving: every request for a known feed, and those answered 304.
export_requests = ProcessCounter()
export_not_modified = ProcessCounter()
