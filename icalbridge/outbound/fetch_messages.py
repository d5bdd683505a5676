"""What a feed's server answered: how long it asks us to wait, which explanation fits."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def retry_after_seconds(value: str | None, date_header: str | None, now: datetime) -> int | None:
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
        base = now
    return max(0, math.ceil((when - base).total_seconds()))


def status_variant(status: int, retry_after_s: int | None) -> str:
    """Return which explanation of an HTTP error status the host reads (``wording.fetch_texts``)."""
    wait = "_wait" if retry_after_s is not None else ""
    if status in (401, 403):
        return "refused"
    if status in (404, 410):
        return "not_found"
    if status == 429:
        return f"too_many{wait}"
    if status == 503:
        return f"unavailable{wait}"
    if status >= 500:
        return "server"
    return ""


def _http_date(text: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
