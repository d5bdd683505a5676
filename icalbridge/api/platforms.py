"""The platform presets a channel can be made from."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from icalbridge.api.pagination import Page, PageQuery, page_of_sequence
from icalbridge.api.problems import PROBLEMS
from icalbridge.core.bookings import Direction
from icalbridge.core.platforms import Platform, all_platforms

router = Router(tags=["platforms"])


class PlatformOut(Schema):
    id: str
    name_fr: str
    name_en: str
    directions: list[Direction]


def platform_out(platform: Platform) -> dict[str, Any]:
    return {
        "id": platform.id,
        "name_fr": platform.name_fr,
        "name_en": platform.name_en,
        "directions": [d.value for d in platform.directions],
    }


@router.get("/platforms", response={200: Page[PlatformOut], **PROBLEMS})
def list_platforms(request: HttpRequest, page: PageQuery) -> dict[str, Any]:
    """List the platform presets, "other" last."""
    return page_of_sequence([platform_out(p) for p in all_platforms()], page, "platforms")
