"""The JSON API, /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI

from icalbridge.api import bookings, channels, conflicts, imports, platforms, units
from icalbridge.api.auth import BearerToken
from icalbridge.api.problems import install_problem_handlers

api = NinjaAPI(
    title="icalbridge API",
    version="1",
    urls_namespace="api",
    auth=BearerToken(),
    description=(
        "Units, channels, bookings and conflicts of the organizations you belong to. "
        "Send `Authorization: Bearer <token>`. Errors are RFC 9457 problem details."
    ),
)
install_problem_handlers(api)
for module in (units, platforms, channels, imports, bookings, conflicts):
    api.add_router("", module.router)
