"""A channel's held change (docs/domain.md rule 7): see what it would remove, or keep them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from icalbridge.api.auth import channel_for
from icalbridge.api.problems import PROBLEMS, ApiProblem, conflict
from icalbridge.core.bookings import Kind
from icalbridge.hub.models import HeldChange
from icalbridge.sync.status import held_message

router = Router(tags=["imports"])


class HeldBookingOut(Schema):
    id: str
    start: str
    end: str
    kind: Kind
    summary: str


class HeldChangeOut(Schema):
    reason: str
    message: str
    would_cancel: list[HeldBookingOut] = Field(description="The bookings it would remove.")
    would_add: int
    created_at: datetime


def held_out(held: HeldChange) -> dict[str, Any]:
    return {
        "reason": held.reason,
        "message": held_message(held),
        "would_cancel": [
            {
                "id": str(row.get("id", "")),
                "start": str(row.get("start", "")),
                "end": str(row.get("end", "")),
                "kind": row.get("kind", Kind.RESERVED.value),
                "summary": str(row.get("summary", "")),
            }
            for row in held.would_cancel or []
        ],
        "would_add": held.would_add,
        "created_at": held.created_at,
    }


def _nothing_held() -> ApiProblem:
    return conflict("nothing-held", _("Nothing held."), _("No change is held on this channel."))


@router.get("/channels/{channel}/held", response={200: HeldChangeOut, **PROBLEMS})
def get_held_change(request: HttpRequest, channel: str) -> dict[str, Any]:
    """Show the change held for confirmation: the bookings it would remove."""
    target = channel_for(request, channel)
    held = HeldChange.objects.filter(channel=target).first()
    if held is None:
        raise ApiProblem(
            404, "nothing-held", _("Nothing held."), _("No change is held on this channel.")
        )
    return held_out(held)


@router.post("/channels/{channel}/keep", response={204: None, **PROBLEMS})
def keep_bookings(request: HttpRequest, channel: str) -> Status[None]:
    """Discard the held change: the bookings stay as they are."""
    target = channel_for(request, channel, write=True)
    deleted, _rows = HeldChange.objects.filter(channel=target).delete()
    if not deleted:
        raise _nothing_held()
    return Status(204, None)
