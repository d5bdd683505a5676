from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from icalbridge.api.routes import api
from icalbridge.feeds import views as feed_views

# A busy database answers 503 and Retry-After, never 500 (icalbridge.busy_database).
handler500 = "icalbridge.busy_database.server_error_or_busy"

urlpatterns = [
    path("ical/<str:token>.ics", feed_views.feed, name="feed"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("operator/", include("icalbridge.operators.urls")),
    path("", include("icalbridge.ops.urls")),
    path("", include("icalbridge.web.urls")),
]

if settings.ICALBRIDGE_DEMO_FEEDS:
    from icalbridge.demo.views import demo_feed

    urlpatterns.insert(0, path("demo/feeds/<str:name>.ics", demo_feed, name="demo-feed"))
