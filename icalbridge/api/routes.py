"""The JSON API, /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="icalbridge API", version="1", urls_namespace="api")
