"""One pass of a CalDAV push: bring one calendar up to date with its agenda feed.

The queue runs ``run_push`` when a push is requested or due (``sync/caldav_push``). One
pass at a time per push (a lease, as for channels): a change that comes during a pass makes
the pass go again. Each pass cuts the feed into one resource per event
(``core/ics_resources``), plans the conditional writes (``core/caldav_plan``), and records
each write in its own short transaction after the request (docs/architecture.md house
rule 4). A pushed calendar that was stopped has what the hub wrote removed from it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from icalbridge import clock
from icalbridge.core.caldav_plan import PlannedWrite, WriteKind, Written, plan_push, resource_name
from icalbridge.core.ics_resources import event_resources, resource_fingerprint
from icalbridge.core.push_status import PERSON_MUST_ACT, PushError, PushFailure
from icalbridge.hub.models import CaldavEvent, CaldavPush, PublishedFeed
from icalbridge.outbound.policy import fetch_policy
from icalbridge.sync.caldav_client import (
    CalendarServer,
    Listing,
    WriteResult,
    collection_path,
    connected,
    path_of,
)
from icalbridge.sync.caldav_secrets import Credentials, CredentialsLost, opened

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(seconds=30)
# Retries back off up to this while a server may come back; a wrong password or address
# waits for the full reconciliation period instead.
LONGEST_RETRY = timedelta(minutes=5)
# A stopped push whose server stays away this long is forgotten with its events there.
WITHDRAW_GIVE_UP = timedelta(days=7)


_LOST_FOR_GOOD = frozenset({PushFailure.CREDENTIALS_LOST, PushFailure.AUTHORIZATION_REVOKED})


class Stopped(Exception):
    """The push was stopped during a pass: nothing more is written."""


def live_pushes() -> Q:
    """Match the pushes that still write: not stopped, their feed not revoked."""
    return Q(withdrawn_at__isnull=True, agenda__isnull=False, agenda__revoked_at__isnull=True)


def run_push(push_id: int, full: bool, owner: str) -> None:
    """Bring one pushed calendar up to date, again while changes keep coming."""
    while _claim(push_id, owner):
        started = clock.now()
        try:
            _run_once(push_id, full)
        finally:
            CaldavPush.objects.filter(pk=push_id, claimed_by=owner).update(claimed_until=None)
        # Checked after the claim is given back: a change requested during the pass, whose
        # own task found the push claimed, is pushed by this loop.
        if not CaldavPush.objects.filter(
            live_pushes(), pk=push_id, requested_at__gt=started
        ).exists():
            return
        full = False


def _claim(push_id: int, owner: str) -> bool:
    now = clock.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return bool(
        CaldavPush.objects.filter(free, pk=push_id).update(
            claimed_until=now + LEASE, claimed_by=owner
        )
    )


def _run_once(push_id: int, full: bool) -> None:
    push = CaldavPush.objects.select_related("agenda").filter(pk=push_id).first()
    if push is None:
        return
    if push.agenda is None or push.agenda.revoked_at is not None or push.withdrawn_at:
        _withdraw(push)
        return
    started = clock.now()
    if not full and push.failures_in_row and push.reconcile_due_at > started:
        # The server failed: the retry due then brings this change too, without a request
        # per change hammering a server that is down.
        return
    full = full or push.failures_in_row > 0 or push.last_push_at is None
    try:
        token = _push(push, full)
    except Stopped:
        _withdraw(CaldavPush.objects.get(pk=push_id))
        return
    except PushError as exc:
        _record_failure(push, exc, started)
        return
    except Exception:
        # A bug must not take the worker down; the reconciliation after a failure retries.
        log.exception("push %s failed", push_id)
        _record_failure(push, PushError(PushFailure.SERVER_ERROR), started)
        return
    _record_success(push, started, token if full else None)


def _credentials(push: CaldavPush) -> Credentials:
    try:
        return opened(push.credentials)
    except CredentialsLost as exc:
        raise PushError(PushFailure.CREDENTIALS_LOST) from exc


def _push(push: CaldavPush, full: bool) -> str | None:
    """Make one pass; return the server's new sync token after a full one."""
    feed = PublishedFeed.objects.filter(agenda_id=push.agenda_id).first()
    resources = event_resources(bytes(feed.body)) if feed is not None else {}
    wanted = {uid: resource_fingerprint(body) for uid, body in resources.items()}
    with connected(push.url, _credentials(push), fetch_policy()) as server:
        if not push.calendar_url:
            assert push.agenda is not None
            push.calendar_url = server.calendar_for(push.url, push.agenda.name)
            push.save(update_fields=["calendar_url"])
        token: str | None = None
        for _round in range(2):
            listing = None
            if full:
                seen = server.listing(push.calendar_url, push.sync_token if _round == 0 else "")
                listing, token = _what_server_holds(push, seen), seen.token
            plan = plan_push(wanted, _written(push), collection_path(push.calendar_url), listing)
            if _apply(server, push, plan, resources):
                return token
            # Someone changed an event since we listed it: look again, in full, once.
            full = True
        return token


def _written(push: CaldavPush) -> dict[str, Written]:
    return {
        e.uid: Written(path_of(e.href), e.etag, e.fingerprint)
        for e in CaldavEvent.objects.filter(push=push)
    }


def _what_server_holds(push: CaldavPush, seen: Listing) -> dict[str, str | None]:
    if not seen.is_delta:
        return seen.etags
    # A sync-token report names only what changed: the rest is as the hub left it.
    holds = {w.href: w.etag for w in _written(push).values()}
    holds.update(seen.etags)
    for gone in seen.gone:
        holds.pop(gone, None)
    return holds


def _apply(
    server: CalendarServer,
    push: CaldavPush,
    plan: tuple[PlannedWrite, ...],
    resources: dict[str, bytes],
) -> bool:
    """Carry out a plan; return False if a write found an event changed since it was seen."""
    urls = {e.uid: e.href for e in CaldavEvent.objects.filter(push=push)}
    settled = True
    for write in plan:
        url = urls.get(write.uid) or push.calendar_url.rstrip("/") + "/" + resource_name(write.uid)
        if write.kind == WriteKind.FORGET:
            CaldavEvent.objects.filter(push=push, uid=write.uid).delete()
            continue
        if write.kind == WriteKind.RECORD:
            CaldavEvent.objects.filter(push=push, uid=write.uid).update(etag=write.if_match)
            continue
        # A revoked member's or a stopped feed's push writes nothing more, even mid-pass.
        if not CaldavPush.objects.filter(live_pushes(), pk=push.pk).exists():
            raise Stopped
        if write.kind == WriteKind.DELETE:
            status = server.delete(url, if_match=write.if_match)
            if status == 412:
                settled = False
            elif status < 300 or status == 404:
                CaldavEvent.objects.filter(push=push, uid=write.uid).delete()
            else:
                raise _refused(status, server)
            continue
        body = resources[write.uid]
        if_match = write.if_match if write.kind == WriteKind.UPDATE else None
        result = server.put(url, body, if_match=if_match)
        if result.status == 404 and if_match:
            result = server.put(url, body, if_match=None)
        if result.status == 412 and not if_match:
            result = _adopt(server, url, write.uid, body)
        if result.status == 412:
            settled = False
            continue
        if result.status >= 300:
            raise _refused(result.status, server)
        etag = result.etag or server.uid_at(url)[1]
        CaldavEvent.objects.update_or_create(
            push=push,
            uid=write.uid,
            defaults={"href": url, "etag": etag, "fingerprint": resource_fingerprint(body)},
        )
    return settled


def _adopt(server: CalendarServer, url: str, uid: str, body: bytes) -> WriteResult:
    """Take back an event of ours found where we meant to create it.

    The hub wrote it and lost the record (a worker stopped between the write and the
    record): it holds the feed's UID under the hub's own name. Anything else there is left
    alone and the write counts as refused.
    """
    found_uid, etag = server.uid_at(url)
    if found_uid != uid or etag is None:
        log.warning("push: %s holds another event; left alone", url)
        return WriteResult(412, None)
    return server.put(url, body, if_match=etag)


def _refused(status: int, server: CalendarServer) -> PushError:
    if status in (401, 403):
        return PushError(PushFailure.FORBIDDEN, server.host)
    return PushError(PushFailure.SERVER_ERROR, f"{server.host} ({status})")


def _withdraw(push: CaldavPush) -> None:
    """Remove the events a stopped push wrote, then forget the push and its credentials."""
    now = clock.now()
    records = list(CaldavEvent.objects.filter(push=push))
    try:
        if records:
            with connected(push.url, _credentials(push), fetch_policy()) as server:
                for record in records:
                    # 412: the person changed it in their calendar; it is theirs now.
                    server.delete(record.href, if_match=record.etag)
                    record.delete()
    except PushError as exc:
        given_up = push.withdrawn_at is None or push.withdrawn_at < now - WITHDRAW_GIVE_UP
        # Unreadable credentials, or an OAuth grant the person withdrew, never come back.
        if exc.failure not in _LOST_FOR_GOOD and not given_up:
            _record_failure(push, exc, now)
            return
        log.info("push %s stopped; its events could not be removed (%s)", push.pk, exc)
    push.delete()


def _record_success(push: CaldavPush, started: datetime, token: str | None) -> None:
    now = clock.now()
    values: dict[str, object] = {
        "last_push_at": now,
        "last_attempt_at": now,
        "failures_in_row": 0,
        "failure_code": "",
        "failure_detail": "",
        "failing_since": None,
    }
    if token is not None:
        values["sync_token"] = token
        values["reconcile_due_at"] = started + timedelta(
            seconds=settings.ICALBRIDGE_CALDAV_RECONCILE_S
        )
    CaldavPush.objects.filter(pk=push.pk).update(**values)


def _record_failure(push: CaldavPush, exc: PushError, started: datetime) -> None:
    failures = push.failures_in_row + 1
    cap = timedelta(seconds=settings.ICALBRIDGE_CALDAV_RECONCILE_S)
    if exc.failure not in PERSON_MUST_ACT:
        cap = min(cap, LONGEST_RETRY)
    retry = min(FIRST_RETRY * 2 ** min(failures - 1, 16), cap)
    CaldavPush.objects.filter(pk=push.pk).update(
        last_attempt_at=started,
        failures_in_row=failures,
        failure_code=exc.failure.value,
        failure_detail=exc.detail[:300],
        failing_since=push.failing_since or started,
        # After a failure the next pass lists the server in full, without a sync token.
        sync_token="",
        reconcile_due_at=started + retry,
    )
