"""Write agenda feeds into their owners' CalDAV calendars: on each change, and reconciled.

A change to a booking re-renders the agenda feeds that show it (``sync/exporter``); when a
feed's bytes change and it is pushed, a push is requested (``request_push``) and the queue
runs a pass (``sync/caldav_pass``) within moments. A full reconciliation, which reads what
the server holds, runs periodically (the scheduler, ``enqueue_due_pushes``) and after any
failure. This module configures, requests and stops pushes; it never writes to a server
itself, so the queue's task can run a pass without importing what enqueues it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet

from icalbridge import clock
from icalbridge.core.push_status import PushError, PushFailure
from icalbridge.hub.models import AgendaFeed, CaldavPush
from icalbridge.outbound.policy import fetch_policy
from icalbridge.sync.caldav_client import (
    calendar_address,
    connected,
)
from icalbridge.sync.caldav_pass import FIRST_RETRY, LEASE, live_pushes
from icalbridge.sync.caldav_secrets import Credentials, sealed
from icalbridge.sync.push_tasks import enqueue_push


def configure_push(agenda: AgendaFeed, url: str, credentials: Credentials) -> CaldavPush:
    """Connect to the calendar (the "test the connection" step), store the push, push it.

    Raises PushError(BAD_URL) for an address that is not one; any other failure is stored
    as the push's state, shown to its owner and retried.
    """
    address = calendar_address(url)
    now = clock.now()
    calendar_url, failure = "", None
    try:
        with connected(address, credentials, fetch_policy()) as server:
            calendar_url = server.calendar_for(address, agenda.name)
    except PushError as exc:
        failure = exc
    if calendar_url and _calendar_in_use(calendar_url, agenda):
        calendar_url, failure = "", PushError(PushFailure.CALENDAR_IN_USE, calendar_url)
    with transaction.atomic():
        push = CaldavPush.objects.select_for_update().filter(agenda=agenda).first()
        if push is not None and failure and push.url == address:
            calendar_url = push.calendar_url  # the same calendar; only the login failed
        if push is not None and push.calendar_url and push.calendar_url != calendar_url:
            # Another calendar: what was written into the first one is removed from it.
            _detach(push, now)
            push = None
        push = push or CaldavPush(agenda=agenda, created_at=now)
        push.url, push.calendar_url = address, calendar_url
        push.credentials = sealed(credentials)
        push.requested_at, push.reconcile_due_at, push.sync_token = now, now, ""
        push.last_attempt_at = now if failure else push.last_attempt_at
        push.failures_in_row = 1 if failure else 0
        push.failure_code = failure.failure.value if failure else ""
        push.failure_detail = failure.detail[:300] if failure else ""
        push.failing_since = now if failure else None
        if failure:
            push.reconcile_due_at = now + FIRST_RETRY
        push.save()
        if not failure:
            transaction.on_commit(lambda: enqueue_push(push.pk, True))
    return push


def stop_pushes(agendas: QuerySet[AgendaFeed]) -> None:
    """Stop the pushes of some agenda feeds at once; what they wrote is removed after."""
    now = clock.now()
    with transaction.atomic():
        for push in CaldavPush.objects.select_for_update().filter(agenda__in=agendas):
            _detach(push, now)


def _detach(push: CaldavPush, now: datetime) -> None:
    push.agenda, push.withdrawn_at, push.reconcile_due_at = None, now, now
    push.save(update_fields=["agenda", "withdrawn_at", "reconcile_due_at"])
    push_id = push.pk
    transaction.on_commit(lambda: enqueue_push(push_id, True))


def request_push(agenda: AgendaFeed) -> None:
    """Ask for the agenda's calendar to be brought up to date with its feed, now."""
    push_id = (
        CaldavPush.objects.filter(live_pushes(), agenda=agenda).values_list("pk", flat=True).first()
    )
    if push_id is None:
        return
    CaldavPush.objects.filter(pk=push_id).update(requested_at=clock.now())
    enqueue_push(push_id, False)


def enqueue_due_pushes(now: datetime, limit: int = 50) -> int:
    """Enqueue the pushes whose full reconciliation (or retry, or removal) is due."""
    due = list(
        CaldavPush.objects.filter(reconcile_due_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("reconcile_due_at")
        .values_list("pk", flat=True)[:limit]
    )
    queued = 0
    for push_id in due:
        # Moving the due time is the claim: a push waiting in the queue is not enqueued again.
        if CaldavPush.objects.filter(pk=push_id, reconcile_due_at__lte=now).update(
            reconcile_due_at=now + LEASE
        ):
            enqueue_push(push_id, True)
            queued += 1
    return queued


def _calendar_in_use(calendar_url: str, agenda: AgendaFeed) -> bool:
    """Tell whether another agenda feed already writes into this calendar.

    Two feeds of the same bookings would write the same UIDs into one calendar, which a
    CalDAV server refuses (one UID per calendar), each undoing the other.
    """
    return (
        CaldavPush.objects.filter(live_pushes(), calendar_url=calendar_url)
        .exclude(agenda=agenda)
        .exists()
    )
