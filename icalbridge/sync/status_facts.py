"""Update a channel's stored facts after an import, schedule its next one, record state flips."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from icalbridge import clock
from icalbridge.core.schedule import next_poll_at
from icalbridge.hub.models import Channel, HeldChange, ImportOutcome, ImportRun, StatusChange
from icalbridge.hub.statements import save_fields
from icalbridge.outbound.fetch import FetchResult
from icalbridge.sync.status import channel_status
from icalbridge.wording.fetch_texts import fetch_error_english


class LookUp:
    """A held change not known to the caller: read it from the database."""


LOOK_UP = LookUp()

INTERNAL_ERROR = "internal_error"


def record_failure(
    channel: Channel,
    started_at: datetime,
    trigger: str,
    result: FetchResult | None,
    *,
    code: str | None = None,
    params: dict[str, str] | None = None,
    problems: list[dict[str, Any]] | None = None,
    release_claim_of: str | None = None,
) -> ImportRun:
    """Record a failed import: nothing changed, the channel backs off, its status tells why.

    The failure is stored as its code and values (``wording.fetch_texts`` words it in the
    reader's language); the English words are kept for logs and the operators' page.
    """
    if code is None:
        code = (result.error_code if result else None) or INTERNAL_ERROR
        params = (result.error_params if result else None) or {}
    params = params or {}
    message = fetch_error_english(code, params)
    run = ImportRun.objects.create(
        channel=channel,
        started_at=started_at,
        finished_at=clock.now(),
        trigger=trigger,
        http_status=result.status if result else None,
        bytes_read=result.bytes_read if result else 0,
        outcome=ImportOutcome.FAILED,
        error_code=code,
        error_params=params,
        message=message,
        problems=problems or [],
    )
    channel.last_attempt_at = started_at
    channel.consecutive_failures += 1
    channel.last_error_code = code
    channel.last_error_params = params
    channel.last_error_message = message
    if code == INTERNAL_ERROR:
        # Our own fault (a lost database connection, a bug): try again soon, the feed
        # is not to blame and its back-off would delay the next import for nothing.
        channel.next_poll_at = started_at + timedelta(seconds=settings.ICALBRIDGE_INTERNAL_RETRY_S)
    else:
        retry_after = result.retry_after_s if result else None
        channel.next_poll_at = _next_poll(channel, started_at, retry_after)
    _save_facts(channel, started_at, release_claim_of=release_claim_of)
    return run


def record_success(
    channel: Channel,
    started_at: datetime,
    result: FetchResult | None,
    fingerprint: str,
    events_read: int | None,
    *,
    held: HeldChange | LookUp | None = LOOK_UP,
    release_claim_of: str | None = None,
) -> None:
    """Record a fetch that read a calendar, whether it changed bookings or not.

    With ``release_claim_of``, the same write gives back that owner's claim on the channel,
    if it still holds it (``channel.claimed_by`` as read under the row's lock).
    """
    channel.last_attempt_at = started_at
    channel.last_success_at = started_at
    channel.consecutive_failures = 0
    channel.last_error_code = ""
    channel.last_error_params = None
    channel.last_error_message = ""
    channel.events_read = events_read
    channel.body_fingerprint = fingerprint
    if result is not None:
        channel.etag = result.validators.etag or ""
        channel.last_modified = result.validators.last_modified or ""
    channel.next_poll_at = _next_poll(channel, started_at, None)
    _save_facts(channel, started_at, held, release_claim_of)


def _next_poll(channel: Channel, now: datetime, retry_after_s: int | None) -> datetime:
    return next_poll_at(
        now,
        interval_s=channel.poll_interval_s,
        jitter=random.random(),
        consecutive_failures=channel.consecutive_failures,
        retry_after_s=retry_after_s,
    )


_FACTS = [
    "last_attempt_at",
    "last_success_at",
    "consecutive_failures",
    "last_error_code",
    "last_error_params",
    "last_error_message",
    "events_read",
    "body_fingerprint",
    "etag",
    "last_modified",
    "next_poll_at",
    "state",
]


def _save_facts(
    channel: Channel,
    now: datetime,
    held: HeldChange | LookUp | None = LOOK_UP,
    release_claim_of: str | None = None,
) -> None:
    update_state(channel, now, save=False, held=held)
    fields = _FACTS
    if release_claim_of is not None and channel.claimed_by == release_claim_of:
        # One UPDATE and one commit fewer per import than giving the claim back after it.
        channel.claimed_until, channel.claimed_by = None, ""
        fields = [*_FACTS, "claimed_until", "claimed_by"]
    # next_poll_at is always set here, so Channel.save's own rule has nothing to add.
    save_fields(channel, fields)


def update_state(
    channel: Channel,
    now: datetime,
    *,
    save: bool = True,
    held: HeldChange | LookUp | None = LOOK_UP,
) -> None:
    """Derive the channel's state; when it flips, record the change (history and alert outbox)."""
    if isinstance(held, LookUp):
        held = HeldChange.objects.filter(channel=channel).first()
    status = channel_status(channel, now, held)
    if status.state != channel.state:
        StatusChange.objects.create(
            channel=channel,
            at=now,
            old_state=channel.state,
            new_state=status.state,
            reason=status.reason,
            message=status.message,
        )
        channel.state = status.state
        if save:
            channel.save(update_fields=["state"])
