"""Plain-English explanations of what a feed's server answered."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus


def size_text(size: int) -> str:
    """Return a byte count as a person reads it: '512 bytes', '3.2 MB'."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def retry_after_seconds(
    value: str | None, date_header: str | None, now: datetime | None = None
) -> int | None:
    """Return the wait a Retry-After header asks for, in whole seconds, or None."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return int(text)
    when = _http_date(text)
    if when is None:
        return None
    # Measure against the server's own clock when it gives one: our clock may be off.
    base = _http_date(date_header) if date_header else None
    if base is None:
        base = now or datetime.now(UTC)
    return max(0, math.ceil((when - base).total_seconds()))


def status_message(status: int, retry_after_s: int | None) -> str:
    """Explain an HTTP error status to the host, with what it usually means."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    answer = f"The server answered {status} {phrase}".rstrip()
    wait = f" and asks us to wait {retry_after_s} seconds" if retry_after_s is not None else ""
    if status in (401, 403):
        return f"{answer}: the link is private, expired, or the server refuses us."
    if status in (404, 410):
        return f"{answer}: the link is wrong or was reset."
    if status == 429:
        return f"{answer}: it is getting too many requests{wait}."
    if status == 503:
        return f"{answer}: it is unavailable for now{wait}."
    if status >= 500:
        return f"{answer}: a problem on the server's side, which usually passes."
    return f"{answer}."


def _http_date(text: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
