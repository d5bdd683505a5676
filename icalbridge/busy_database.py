"""A database busy with someone else's write is a reason to come back later, not a failure.

Each connection waits at most ``ICALBRIDGE_DB_BUSY_TIMEOUT_S`` for a lock (SQLite's busy
timeout, PostgreSQL's lock_timeout). Past that, the page or API call answers 503 with a
Retry-After in the reader's language instead of a 500 "database is locked": the request
changed nothing and can be sent again as it is.
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.views.defaults import server_error

RETRY_AFTER_S = 10
# PostgreSQL's codes for "could not get the lock in time" and its kin: each says "try again".
_BUSY_SQLSTATES = frozenset(
    {
        "55P03",  # lock_not_available (lock_timeout)
        "57014",  # query_canceled (statement_timeout)
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
    }
)
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def busy_timeout_s() -> float:
    return float(settings.ICALBRIDGE_DB_BUSY_TIMEOUT_S)


def set_busy_timeout(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Make a new connection wait for a lock at most the busy timeout (connection_created)."""
    milliseconds = int(busy_timeout_s() * 1000)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA busy_timeout = {milliseconds}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"SET lock_timeout = {milliseconds}")


def is_busy_database(error: BaseException | None) -> bool:
    """Tell whether an error only says that another writer held the database too long."""
    if not isinstance(error, OperationalError):
        return False
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    if sqlstate in _BUSY_SQLSTATES:
        return True
    return any(words in str(error).lower() for words in _SQLITE_BUSY)


def busy_page(request: HttpRequest) -> HttpResponse:
    """Answer 503 and Retry-After with a plain page in the reader's language; no database."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        body = render_to_string(
            "web/busy.html", {"retry_after_s": RETRY_AFTER_S, "language": language}
        )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


def server_error_or_busy(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """Django's handler500: a busy database gets the 503 page, anything else the usual 500."""
    if is_busy_database(sys.exc_info()[1]):
        return busy_page(request)
    return server_error(request, template_name)
