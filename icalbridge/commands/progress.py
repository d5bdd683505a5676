"""A progress bar with an ETA on stderr; plain lines when stderr is not a terminal (logs, CI)."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import IO

from django.utils.translation import gettext as _

BAR_WIDTH = 30
# Plain lines go to log files: one every few seconds is enough to show the work is moving.
PLAIN_EVERY_S = 5.0


def duration_text(seconds: float) -> str:
    """Return a duration as a person reads it: '42s', '3m05s', '1h02m'."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


class Progress:
    """Count done items out of a total and show how long is left; use as a context manager."""

    def __init__(self, label: str, total: int, stream: IO[str] | None = None) -> None:
        self.label = label
        self.total = max(0, total)
        self.done = 0
        self._stream = stream or sys.stderr
        self._is_tty = self._stream.isatty()
        self._started = time.monotonic()
        self._last_shown = float("-inf")
        self._last_line = ""

    def __enter__(self) -> Progress:
        self._show(force=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._show(force=True, final=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._show(force=self.done >= self.total)

    def say(self, text: str) -> None:
        """Print a line on stdout without tearing the bar drawn on the terminal."""
        if self._is_tty:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
        print(text, flush=True)
        if self._is_tty:
            self._show(force=True)

    def eta_s(self) -> float | None:
        """Return the seconds left at the pace so far, or None before the first item."""
        if self.done <= 0:
            return None
        elapsed = time.monotonic() - self._started
        return elapsed / self.done * max(0, self.total - self.done)

    def line(self) -> str:
        """Return the progress as one line of text: label, bar, counts and ETA."""
        share = self.done / self.total if self.total else 1.0
        filled = round(BAR_WIDTH * min(1.0, share))
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        eta = self.eta_s()
        left = _("ETA %(left)s") % {"left": "--" if eta is None else duration_text(eta)}
        return f"{self.label} [{bar}] {self.done}/{self.total} {share:4.0%} {left}"

    def _show(self, *, force: bool = False, final: bool = False) -> None:
        now = time.monotonic()
        if self._is_tty:
            # Redrawing costs a terminal write per item; ten times a second looks smooth.
            if not force and now - self._last_shown < 0.1:
                return
            end = "\n" if final else ""
            self._stream.write("\r" + self.line() + end)
        else:
            if not force and now - self._last_shown < PLAIN_EVERY_S:
                return
            line = self.line()
            if line == self._last_line:
                return
            self._last_line = line
            self._stream.write(line + "\n")
        self._stream.flush()
        self._last_shown = now
