"""A CalDAV push's state and message, derived from its facts when read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from icalbridge.core.push_status import PushFailure, PushState, push_state
from icalbridge.hub.models import CaldavEvent, CaldavPush
from icalbridge.sync.caldav_texts import failure_text, pending_text, up_to_date_text


@dataclass(frozen=True)
class PushStatus:
    state: PushState
    reason: str
    message: str
    last_push_at: datetime | None
    calendar_url: str


def push_status(push: CaldavPush) -> PushStatus:
    """Return what a push's owner reads about it, in the active language."""
    failure = PushFailure(push.failure_code) if push.failure_code else None
    state, reason = push_state(
        failures_in_row=push.failures_in_row,
        failure=failure,
        has_pushed=push.last_push_at is not None,
        errors_after=settings.ICALBRIDGE_FAILURES_BEFORE_ERROR,
    )
    if failure is not None and push.failures_in_row:
        message = failure_text(failure, push.failure_detail)
    elif push.last_push_at is None:
        message = pending_text()
    else:
        message = up_to_date_text(CaldavEvent.objects.filter(push=push).count())
    return PushStatus(state, reason, message, push.last_push_at, push.calendar_url)
