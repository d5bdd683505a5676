"""``/healthz``: can this process reach the database and the queue, and is the schedule kept?"""

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from icalbridge import clock
from icalbridge.ops.lag import oldest_due_lag_s
from icalbridge.sync.queue import queue_length

log = logging.getLogger(__name__)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 with the facts when the database and the queue answer, else 503."""
    facts: dict[str, object] = {"database": "ok", "queue": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        facts["oldest_due_lag_s"] = round(oldest_due_lag_s(clock.now()), 1)
    except Exception as exc:
        # A load balancer reads only the status code; the log keeps the cause for a human.
        log.warning("health check: the database does not answer: %s", exc)
        facts["database"] = "down"
        facts["oldest_due_lag_s"] = None
    try:
        facts["queue_length"] = queue_length()
    except Exception as exc:
        log.warning("health check: the queue does not answer: %s", exc)
        facts["queue"] = "down"
        facts["queue_length"] = None
    is_healthy = facts["database"] == "ok" and facts["queue"] == "ok"
    facts["status"] = "ok" if is_healthy else "down"
    response = JsonResponse(facts, status=200 if is_healthy else 503)
    response["Cache-Control"] = "no-store"
    return response
