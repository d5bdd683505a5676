"""ETags on every GET of the API: a client that sends If-None-Match gets 304 when nothing changed."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseNotModified
from django.http.response import HttpResponseBase

Run = Callable[..., HttpResponseBase]


def etag_of(content: bytes) -> str:
    """Return the strong ETag of a response body."""
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Tell whether an If-None-Match header names this tag (weak comparison, RFC 9110 13.1.2)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return tag in tags


def with_etag(run: Run) -> Run:
    """Wrap an operation: tag its 200 answers to GET and answer 304 to a matching client."""

    @functools.wraps(run)
    def tagged(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = run(request, *args, **kwargs)
        if request.method != "GET" or response.status_code != 200 or response.streaming:
            return response
        tag = etag_of(response.content)  # type: ignore[attr-defined]
        response["ETag"] = tag
        # The body depends on who asks: a shared cache must not hand it to someone else.
        response["Cache-Control"] = "private, no-cache"
        if matches(request.headers.get("If-None-Match"), tag):
            unchanged = HttpResponseNotModified()
            unchanged["ETag"] = tag
            unchanged["Cache-Control"] = response["Cache-Control"]
            return unchanged
        return response

    return tagged
