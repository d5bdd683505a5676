"""What deserves an alert: turn the outboxes and the channels' facts into alerts.

Sources: status changes (a channel now failing, a removal held, a return to normal), new
conflicts (double bookings, told at once) and channels with no successful import for too
long, found from their facts because "stale" is derived when read and rarely recorded.
A channel gets one alert per cause until its cause changes: a channel failing for a week
is told once, and once more when it recovers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery

from icalbridge.hub.models import (
    Alert,
    AlertCause,
    Channel,
    ChannelState,
    Conflict,
    ConflictState,
    StatusChange,
)
from icalbridge.sync.status import stale_after

CHANNEL_CAUSES = (AlertCause.FAILING, AlertCause.STALE, AlertCause.HELD, AlertCause.RECOVERED)
PROBLEM_CAUSES = frozenset({AlertCause.FAILING, AlertCause.STALE, AlertCause.HELD})
# The export side's causes: a chain of their own (see ``alerts.export_causes``).
EXPORT_CAUSES = (
    AlertCause.EXPORT_NOT_FETCHED,
    AlertCause.EXPORT_NOT_APPLIED,
    AlertCause.EXPORT_RECOVERED,
)
EXPORT_PROBLEMS = frozenset({AlertCause.EXPORT_NOT_FETCHED, AlertCause.EXPORT_NOT_APPLIED})
BATCH = 200
MAX_AGE = timedelta(days=1)


def collect_alerts(now: datetime) -> int:
    """Make the alerts that the outboxes and the channels' facts call for; return how many."""
    made = 0
    for change_id in _unalerted_status_changes():
        made += _alert_for_status_change(change_id, now)
    for conflict_id in Conflict.objects.filter(alerted_at__isnull=True).values_list(
        "id", flat=True
    )[:BATCH]:
        made += _alert_for_conflict(conflict_id, now)
    for channel_id in _stale_channel_ids(now):
        made += alert_if_cause_changed(channel_id, AlertCause.STALE, now, "")
    for channel_id in _recovered_stale_channel_ids():
        made += alert_if_cause_changed(channel_id, AlertCause.RECOVERED, now, "")
    return made


def last_channel_cause(
    channel_id: int, causes: tuple[AlertCause, ...] = CHANNEL_CAUSES
) -> AlertCause | None:
    """Return the cause of the channel's latest alert among ``causes``, or None."""
    cause = (
        Alert.objects.filter(channel_id=channel_id, cause__in=causes)
        .order_by("-created_at", "-id")
        .values_list("cause", flat=True)
        .first()
    )
    return AlertCause(cause) if cause else None


def cause_of_change(change: StatusChange) -> AlertCause | None:
    """Return the cause a state flip points to, before comparing it with the last one."""
    if change.new_state == ChannelState.ERROR:
        return AlertCause.FAILING
    if change.reason == "held":
        return AlertCause.HELD
    if change.reason == "stale":
        return AlertCause.STALE
    if change.new_state == ChannelState.OK:
        return AlertCause.RECOVERED
    return None


def is_new_cause(cause: AlertCause, last: AlertCause | None) -> bool:
    """Tell whether a cause differs from what the channel's people were last told."""
    if cause == AlertCause.EXPORT_RECOVERED:
        return last in EXPORT_PROBLEMS
    if cause in EXPORT_PROBLEMS:
        return cause != last
    if cause == AlertCause.RECOVERED:
        return last in PROBLEM_CAUSES
    if cause == AlertCause.STALE:
        # A failing channel is also without success; "failing" already said so.
        return last not in (AlertCause.FAILING, AlertCause.STALE, AlertCause.HELD)
    return cause != last


def _unalerted_status_changes() -> list[int]:
    return list(
        StatusChange.objects.filter(alerted_at__isnull=True)
        .order_by("at", "id")
        .values_list("id", flat=True)[:BATCH]
    )


def _alert_for_status_change(change_id: int, now: datetime) -> int:
    with transaction.atomic():
        # The conditional UPDATE is the claim: of two workers, one alone turns it into an alert.
        if not StatusChange.objects.filter(pk=change_id, alerted_at__isnull=True).update(
            alerted_at=now
        ):
            return 0
        change = StatusChange.objects.get(pk=change_id)
        cause = cause_of_change(change)
        # Flips older than a day are history, not news: after an upgrade or a long outage,
        # mailing them would tell hosts about failures long since mended.
        if cause is None or change.at < now - MAX_AGE:
            return 0
        return alert_if_cause_changed(change.channel_id, cause, now, change.message)


def alert_if_cause_changed(channel_id: int, cause: AlertCause, now: datetime, message: str) -> int:
    """Make an alert for the channel's cause unless its people were told it last; 0 or 1."""
    with transaction.atomic():
        # Locking the channel serialises two workers deciding about the same channel, which
        # would otherwise both see "no alert yet" and tell the host twice.
        channel = (
            Channel.objects.select_for_update().select_related("unit").filter(pk=channel_id).first()
        )
        chain = EXPORT_CAUSES if cause in EXPORT_CAUSES else CHANNEL_CAUSES
        if channel is None or not is_new_cause(cause, last_channel_cause(channel_id, chain)):
            return 0
        Alert.objects.create(
            organization_id=channel.unit.organization_id,
            cause=cause,
            channel=channel,
            message=message,
            created_at=now,
        )
        return 1


def _alert_for_conflict(conflict_id: int, now: datetime) -> int:
    with transaction.atomic():
        if not Conflict.objects.filter(pk=conflict_id, alerted_at__isnull=True).update(
            alerted_at=now
        ):
            return 0
        conflict = Conflict.objects.select_related("unit").get(pk=conflict_id)
        # A double booking solved before anyone was told needs no alert.
        if conflict.state != ConflictState.OPEN:
            return 0
        Alert.objects.create(
            organization_id=conflict.unit.organization_id,
            cause=AlertCause.DOUBLE_BOOKING,
            conflict=conflict,
            created_at=now,
        )
        return 1


def _importing_channels() -> Q:
    return Q(is_active=True) & ~Q(import_url="") & ~Q(direction="export")


def _stale_channel_ids(now: datetime) -> list[int]:
    cutoff = now - stale_after()
    without_success = Q(last_success_at__lte=cutoff) | Q(
        last_success_at__isnull=True, created_at__lte=cutoff
    )
    latest_cause = (
        Alert.objects.filter(channel=OuterRef("pk"), cause__in=CHANNEL_CAUSES)
        .order_by("-created_at", "-id")
        .values("cause")[:1]
    )
    # One query, run at every tick: the channels already told about are left out in SQL.
    candidates = (
        Channel.objects.filter(_importing_channels() & without_success)
        .annotate(last_cause=Subquery(latest_cause))
        .filter(Q(last_cause__isnull=True) | Q(last_cause=AlertCause.RECOVERED))
    )
    return list(candidates.order_by("id").values_list("id", flat=True)[:BATCH])


def _recovered_stale_channel_ids() -> list[int]:
    # A stale channel that imports again may never flip its stored state (it was never
    # recorded as stale), so its recovery is read from the facts too.
    latest = (
        Alert.objects.filter(channel=OuterRef("channel"), cause__in=CHANNEL_CAUSES)
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    told = Alert.objects.filter(
        cause=AlertCause.STALE,
        channel__last_success_at__gt=F("created_at"),
        id=Subquery(latest),
    )
    return list(told.order_by("id").values_list("channel_id", flat=True)[:BATCH])
