from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from icalbridge.feeds.serving import answer_feed_request
from icalbridge.security import client_address


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """Serve a published feed to a platform or a calendar program."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    answer = answer_feed_request(
        token,
        method=request.method,
        if_none_match=request.headers.get("If-None-Match"),
        if_modified_since=request.headers.get("If-Modified-Since"),
        accept_encoding=request.headers.get("Accept-Encoding"),
        user_agent=request.headers.get("User-Agent"),
        client=client_address(request.META),
    )
    response = HttpResponse(answer.body, status=answer.status)
    for name, value in answer.headers:
        response[name] = value
    return response
