"""Double bookings of a unit (docs/domain.md rule 9): shown, never merged."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from icalbridge.api.auth import unit_for
from icalbridge.api.booking_schemas import BookingOut
from icalbridge.api.bookings import booking_out
from icalbridge.api.ids import derived_id
from icalbridge.api.pagination import Page, PageQuery, page_of_queryset
from icalbridge.api.problems import PROBLEMS
from icalbridge.hub.models import Conflict, ConflictState

router = Router(tags=["conflicts"])


class ConflictFilter(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    ALL = "all"


class ConflictQuery(Schema):
    state: ConflictFilter = Field(ConflictFilter.OPEN, description="open, resolved or all.")


class ConflictOut(Schema):
    id: str
    start: date
    end: date = Field(description="The day after the last night both bookings hold.")
    state: ConflictState
    detected_at: datetime
    resolved_at: datetime | None
    resolution: str
    bookings: list[BookingOut]


def conflict_out(row: Conflict) -> dict[str, Any]:
    return {
        "id": derived_id("conflict", row.pk),
        "start": row.start,
        "end": row.end,
        "state": row.state,
        "detected_at": row.detected_at,
        "resolved_at": row.resolved_at,
        "resolution": row.resolution,
        "bookings": [booking_out(row.first), booking_out(row.second)],
    }


@router.get("/units/{unit}/conflicts", response={200: Page[ConflictOut], **PROBLEMS})
def list_conflicts(
    request: HttpRequest, unit: str, query: Query[ConflictQuery], page: PageQuery
) -> dict[str, Any]:
    """List the unit's double bookings, open ones by default."""
    target = unit_for(request, unit)
    rows = Conflict.objects.filter(unit=target).select_related(
        "first__unit", "first__origin", "second__unit", "second__origin"
    )
    if query.state is not ConflictFilter.ALL:
        rows = rows.filter(state=query.state.value)
    return page_of_queryset(rows, page, f"conflicts:{target.pk}", conflict_out)
