from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from icalbridge import clock
from icalbridge.demo.feeds import DEMO_FEEDS


def demo_feed(request: HttpRequest, name: str) -> HttpResponse:
    """Serve a demo platform feed, so the demo's channels have something to import."""
    make = DEMO_FEEDS.get(name)
    if make is None:
        raise Http404
    return HttpResponse(
        make(timezone.localdate(clock.now())), content_type="text/calendar; charset=utf-8"
    )
