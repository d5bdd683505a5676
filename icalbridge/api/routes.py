"""The JSON API, /api/v1/."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from icalbridge.api import (
    agenda_caldav,
    agenda_feeds,
    api_tokens,
    bookings,
    channels,
    conflicts,
    held_changes,
    imports,
    members,
    platforms,
    preferences,
    units,
    webhooks,
)
from icalbridge.api.auth import BearerToken
from icalbridge.api.etags import with_etag
from icalbridge.api.problems import install_problem_handlers, with_problem_media_type


class ProblemsApi(NinjaAPI):
    """The API, whose schema documents its errors with their real media type."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return with_problem_media_type(super().get_openapi_schema(*args, **kwargs))


api = ProblemsApi(
    title="icalbridge API",
    version="1",
    urls_namespace="api",
    auth=BearerToken(),
    description=(
        "Units, channels, bookings and conflicts of the organizations you belong to. "
        "Send `Authorization: Bearer <token>`. Errors are RFC 9457 problem details. "
        "Every GET answers an `ETag`; send it back as `If-None-Match` to get 304 when nothing "
        "changed. Each token may make a limited number of requests a minute (600 by default); "
        "past it the answer is 429 with `Retry-After`."
    ),
)
install_problem_handlers(api)
api.add_decorator(with_etag, mode="view")
for module in (
    units,
    platforms,
    channels,
    imports,
    held_changes,
    bookings,
    conflicts,
    members,
    agenda_feeds,
    agenda_caldav,
    api_tokens,
    preferences,
    webhooks,
):
    api.add_router("", module.router)
