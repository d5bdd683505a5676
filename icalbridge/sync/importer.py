"""Import one channel: fetch and plan outside any transaction, then one short write.

docs/domain.md rules 5-8, 12 and 13. An unchanged feed (304, or the same fingerprint)
costs no parse and no booking write; a doubtful one changes nothing (rule 7). Reading,
capping, echoes, horizons, the plan and the double bookings it leaves are all worked out
before the write transaction (``sync.import_plan``); the transaction locks the channel,
checks that the unit's bookings are still those the plan read (else plans again), and
writes in batches: the host still sees an import whole or not at all, and no import keeps
other organisations waiting on the database for more than a moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from icalbridge import clock
from icalbridge.core.feed import Feed
from icalbridge.core.feed_limits import (
    FeedLimits,
    LimitedFeed,
    dated_events_in_window,
    limit_feed,
    too_many_events,
)
from icalbridge.core.fingerprint import feed_fingerprint
from icalbridge.core.ics_read import FUTURE_DAYS, PAST_DAYS, ReadOptions, read_feed
from icalbridge.core.reconcile import HoldReason, Plan
from icalbridge.hub.models import Channel, HeldChange, ImportOutcome, ImportRun
from icalbridge.hub.statements import RowById, insert_row
from icalbridge.outbound.fetch import FetchOutcome, FetchResult, Validators, fetch_feed
from icalbridge.outbound.policy import fetch_policy
from icalbridge.sync.booking_changes import refresh_echo_flags, stored_echoes, write_plan_rows
from icalbridge.sync.claims import still_holds_claim
from icalbridge.sync.conflict_tracking import record_unit_conflicts, update_unit_conflicts
from icalbridge.sync.export_loop import record_platform_view
from icalbridge.sync.exporter import refresh_unit_feeds_on_commit
from icalbridge.sync.import_plan import (
    PreparedImport,
    bookings_version,
    echo_detection,
    prepare_import,
)
from icalbridge.sync.status_facts import record_failure, record_success
from icalbridge.wording.problem_texts import stored_problems

# How many times an import plans again when the unit's bookings changed under it.
PLAN_ATTEMPTS = 5


# Every import starts by reading its channel, unit and held change.
_CHANNEL = RowById(lambda pk: Channel.objects.select_related("unit", "held").filter(pk=pk))


class ClaimLost(Exception):
    """The claim the import was to run under ran out, or passed to another, before it began."""


class BookingsKeptChanging(Exception):
    """The unit's bookings changed between each plan and its apply; try the import later."""


# What a feed that changes nothing because it is not a calendar tells the host
# (worded in wording.fetch_texts).
_UNUSABLE: dict[str, tuple[str, dict[str, str]]] = {
    HoldReason.NOT_CALENDAR: ("not_calendar", {"variant": "read"}),
    HoldReason.TRUNCATED: ("truncated", {}),
}


@dataclass(frozen=True)
class ImportContext:
    channel: Channel
    started_at: datetime
    trigger: str
    # The claim the import runs under: its last write gives it back (sync.claims).
    owner: str | None = None


def import_channel(
    channel_id: int,
    *,
    trigger: str = "schedule",
    confirm: bool = False,
    now: datetime | None = None,
    owner: str | None = None,
) -> ImportRun:
    """Fetch and reconcile one channel's feed; return the recorded run.

    The caller holds the channel's claim (``sync.claims``); given its ``owner``, the
    import first checks that the claim is still the owner's (else raises ``ClaimLost``),
    and its last write also gives the claim back, when it is still the owner's (then
    ``run.channel.claimed_by`` is empty), unless the import changed bookings: then the
    unit's feeds are re-rendered after the commit, and the caller gives the claim back
    after them, so that a channel given back means exports that carry its import. ``confirm`` applies a change held for
    confirmation when the feed still says the same.
    """
    channel = _CHANNEL.get(channel_id)
    ctx = ImportContext(channel, now or clock.now(), trigger, owner)
    if owner is not None and not still_holds_claim(channel, ctx.started_at, owner):
        raise ClaimLost(channel_id)
    held = _held_change(channel)
    if confirm and held is not None:
        return _reconcile(ctx, bytes(held.body), held.fingerprint, None, confirmed=True)
    validators = None
    if held is None and channel.body_fingerprint:
        validators = Validators(channel.etag or None, channel.last_modified or None)
    result = fetch_feed(channel.import_url, validators, fetch_policy())
    if result.outcome is FetchOutcome.FAILED:
        with locked_channel(channel):
            return record_failure(
                ctx.channel, ctx.started_at, ctx.trigger, result, release_claim_of=owner
            )
    if result.outcome is FetchOutcome.NOT_MODIFIED:
        return _unchanged(ctx, result, channel.body_fingerprint)
    body = result.body or b""
    fingerprint = feed_fingerprint(body)
    if fingerprint == channel.body_fingerprint and held is None and not confirm:
        return _unchanged(ctx, result, fingerprint)
    confirmed = confirm or (held is not None and held.fingerprint == fingerprint)
    return _reconcile(ctx, body, fingerprint, result, confirmed=confirmed)


def _held_change(channel: Channel) -> HeldChange | None:
    try:
        return channel.held
    except HeldChange.DoesNotExist:
        return None


@contextmanager
def locked_channel(channel: Channel) -> Iterator[bool]:
    """Write in one transaction that holds the channel's row, or raise if it was deleted.

    A channel deleted while its import ran must end the import cleanly, not fail on a
    foreign key at commit: the deletion locks the row too (``hub.models.Channel.delete``).
    The claim is read again under the lock, so that the import gives back only its own;
    the context's value tells whether the channel has blocks flagged as echoes.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(*_locking(channel.pk))
            row = cursor.fetchone()
        if row is None:
            raise Channel.DoesNotExist(f"channel {channel.pk} was deleted during its import")
        channel.claimed_by, has_echoes = row[0], bool(row[1])
        yield has_echoes


_ANY_PK = -7_000_001  # stands for the channel's id while the statement is built


@cache
def _locking_statement(vendor: str) -> tuple[str, tuple[Any, ...]]:
    """Return the row lock's SQL and parameters, built once: building cost more than running."""
    locking = (
        Channel.objects.select_for_update(of=("self",))
        .filter(pk=_ANY_PK)
        .order_by()
        .annotate(has_echoes=Exists(stored_echoes(OuterRef("pk"))))
        .values_list("claimed_by", "has_echoes")
    )
    with transaction.atomic():  # the only place FOR UPDATE may be compiled
        return locking.query.sql_with_params()


def _locking(channel_id: int) -> tuple[str, tuple[Any, ...]]:
    sql, params = _locking_statement(connection.vendor)
    return sql, tuple(channel_id if value == _ANY_PK else value for value in params)


def _unchanged(ctx: ImportContext, result: FetchResult, fingerprint: str) -> ImportRun:
    with locked_channel(ctx.channel) as has_echoes:
        # Only the channel's own imports flag its echoes: without any, nothing to judge.
        if has_echoes and refresh_echo_flags(ctx.channel, echo_detection=echo_detection()):
            # A block that stops being an echo may be a double booking (docs/domain.md rule 9):
            # say so now, not at the next import that happens to change a booking.
            update_unit_conflicts(ctx.channel.unit, ctx.started_at)
            refresh_unit_feeds_on_commit(ctx.channel.unit)
        run = _new_run(ctx, result, fingerprint, ImportOutcome.UNCHANGED)
        run.events_read = ctx.channel.events_read
        insert_row(run)
        # Only a channel without a held change gets here (see import_channel): looking
        # the held change up again cost a query on the path most imports take.
        record_success(
            ctx.channel,
            ctx.started_at,
            result,
            fingerprint,
            ctx.channel.events_read,
            held=None,
            release_claim_of=ctx.owner,
        )
    return run


def _read(ctx: ImportContext, body: bytes) -> LimitedFeed:
    unit = ctx.channel.unit
    today = ctx.started_at.astimezone(unit.zone).date()
    window = (today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS))
    limits = FeedLimits(
        window,
        max_events=settings.ICALBRIDGE_MAX_EVENTS_PER_FEED,
        max_text_chars=settings.ICALBRIDGE_MAX_TEXT_CHARS,
    )
    dated = dated_events_in_window(body, window)
    if dated > limits.max_events:
        return LimitedFeed(Feed(events=()), dated, is_over_cap=True)
    platform = ctx.channel.platform if ctx.channel.platform != "other" else None
    options = ReadOptions(
        today=today,
        zone=unit.timezone,
        import_options=ctx.channel.import_options,
        platform=platform,
    )
    return limit_feed(read_feed(body, options), limits)


def _reconcile(
    ctx: ImportContext,
    body: bytes,
    fingerprint: str,
    result: FetchResult | None,
    *,
    confirmed: bool,
) -> ImportRun:
    limited = _read(ctx, body)
    feed, channel = limited.feed, ctx.channel
    problems = stored_problems(feed.problems)
    if limited.is_over_cap:
        cap = settings.ICALBRIDGE_MAX_EVENTS_PER_FEED
        refusal = too_many_events(limited.events_in_window, cap)
        with locked_channel(channel):
            return record_failure(
                channel,
                ctx.started_at,
                ctx.trigger,
                result,
                code=refusal.code,
                params=dict(refusal.params),
                problems=[*problems, *stored_problems([refusal])],
                release_claim_of=ctx.owner,
            )
    today = ctx.started_at.astimezone(channel.unit.zone).date()
    for _attempt in range(PLAN_ATTEMPTS):
        prepared = prepare_import(channel, feed, today=today, confirmed=confirmed)
        with locked_channel(channel):
            # The plan stands only on the bookings it read: if another import or the
            # host changed them meanwhile, plan again rather than apply a stale plan.
            if bookings_version(channel) != prepared.version:
                continue
            return _write(ctx, feed, prepared, body, fingerprint, result, problems)
    raise BookingsKeptChanging(channel.pk)


def _write(
    ctx: ImportContext,
    feed: Feed,
    prepared: PreparedImport,
    body: bytes,
    fingerprint: str,
    result: FetchResult | None,
    problems: list[dict[str, Any]],
) -> ImportRun:
    """Write what ``prepared`` says, in the caller's transaction."""
    channel, unit, plan = ctx.channel, ctx.channel.unit, prepared.plan
    if plan.hold_reason in _UNUSABLE:
        code, params = _UNUSABLE[HoldReason(plan.hold_reason)]
        if plan.writes_now:
            # A damaged feed frees nothing, but the new stays it holds whole block their
            # nights (see plan_import).
            write_plan_rows(prepared.rows, ctx.started_at)
            record_unit_conflicts(unit, ctx.started_at, prepared.conflicts)
            refresh_unit_feeds_on_commit(unit)
            params = {"variant": "added", "count": str(len(plan.add))}
        failed = record_failure(
            channel,
            ctx.started_at,
            ctx.trigger,
            result,
            code=code,
            params=params,
            problems=problems,
            release_claim_of=None if plan.writes_now else ctx.owner,
        )
        if plan.add:
            failed.added = len(plan.add)
            failed.save(update_fields=["added"])
        return failed
    record_platform_view(channel, feed.events, unit.stay_times, ctx.started_at)
    if plan.is_held:
        run = _hold(ctx, plan, body, fingerprint, result, problems)
        record_success(
            channel, ctx.started_at, result, "", len(feed.events), release_claim_of=ctx.owner
        )
        return run
    HeldChange.objects.filter(channel=channel).delete()
    write_plan_rows(prepared.rows, ctx.started_at)
    run = _new_run(ctx, result, fingerprint, ImportOutcome.APPLIED)
    run.events_read = len(feed.events)
    run.added = len(plan.add)
    run.moved = sum(1 for c in plan.change if c.moved)
    run.updated = sum(1 for c in plan.change if not c.moved)
    run.cancelled = len(plan.cancel)
    run.problems = problems
    insert_row(run)
    if not plan.is_noop:
        record_unit_conflicts(unit, ctx.started_at, prepared.conflicts)
        refresh_unit_feeds_on_commit(unit, touched=prepared.touched)
    record_success(
        channel,
        ctx.started_at,
        result,
        fingerprint,
        len(feed.events),
        held=None,  # deleted above, under the channel's lock
        release_claim_of=ctx.owner if plan.is_noop else None,
    )
    return run


def _hold(
    ctx: ImportContext,
    plan: Plan,
    body: bytes,
    fingerprint: str,
    result: FetchResult | None,
    problems: list[dict[str, Any]],
) -> ImportRun:
    would_cancel = [
        {
            "id": b.id,
            "start": b.span.start.isoformat(),
            "end": b.span.end.isoformat(),
            "kind": b.kind.value,
            "summary": b.summary,
        }
        for b in plan.cancel
    ]
    HeldChange.objects.update_or_create(
        channel=ctx.channel,
        defaults={
            "reason": plan.hold_reason,
            "params": dict(plan.hold_params),
            "fingerprint": fingerprint,
            "body": body,
            "would_cancel": would_cancel,
            "would_add": len(plan.add),
        },
    )
    run = _new_run(ctx, result, fingerprint, ImportOutcome.HELD)
    run.held = len(plan.cancel)
    run.events_read = len(plan.add) + len(plan.change)
    run.problems = problems
    run.message = f"{plan.hold_reason}: {len(plan.cancel)} bookings would be removed"
    run.save()
    return run


def _new_run(
    ctx: ImportContext, result: FetchResult | None, fingerprint: str, outcome: ImportOutcome
) -> ImportRun:
    return ImportRun(
        channel=ctx.channel,
        started_at=ctx.started_at,
        finished_at=clock.now(),
        trigger=ctx.trigger,
        http_status=result.status if result else None,
        bytes_read=result.bytes_read if result else 0,
        etag=(result.validators.etag or "") if result else "",
        last_modified=(result.validators.last_modified or "") if result else "",
        fingerprint=fingerprint,
        outcome=outcome,
    )
