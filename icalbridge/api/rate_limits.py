"""A limit on requests per API token: a fixed one-minute window counted in Django's cache.

The cache is the default one. With the default local-memory cache each web process counts
on its own, so N processes allow up to N times the limit; a shared cache (Redis) makes the
limit exact. The database was not chosen: it would turn every read into a write.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from icalbridge.api.problems import ApiProblem

WINDOW_S = 60


def requests_per_minute() -> int:
    """Return the settable limit; 0 turns the limit off."""
    return int(settings.ICALBRIDGE_API_RATE_PER_MINUTE)


def count_request(token_hash: str, *, now: float | None = None) -> None:
    """Count one request of a token; raise a 429 problem when the token is over its limit."""
    limit = requests_per_minute()
    if limit <= 0:
        return
    moment = time.time() if now is None else now
    window = int(moment // WINDOW_S)
    # The key hash, not the row's id: ids come back after a rollback, keys never do.
    key = f"icalbridge:api-rate:{token_hash[:32]}:{window}"
    cache.add(key, 0, timeout=2 * WINDOW_S)
    try:
        count = cache.incr(key)
    except ValueError:
        # Evicted between add and incr: this request starts the window again.
        cache.set(key, 1, timeout=2 * WINDOW_S)
        count = 1
    if count > limit:
        wait = max(1, math.ceil((window + 1) * WINDOW_S - moment))
        raise ApiProblem(
            429,
            "rate-limited",
            _("Too many requests."),
            _("This token may make %(limit)d requests a minute; try again in %(wait)d seconds.")
            % {"limit": limit, "wait": wait},
            retry_after_s=wait,
        )
