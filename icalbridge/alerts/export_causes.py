"""Alerts about the export side: a platform stops reading our link, or does not apply it.

The export side is derived when read (``sync.export_side``). It changes when a new fact
arrives (a fetch, a version served, the platform's feed changed: each marks its channel
due at once, ``sync.export_loop``) and with time alone at instants the derivation names
(``core.export_status.next_export_change``). The worker re-derives each channel when it
is due, stores its state and reason (the dashboard counts them), and alerts once per
channel and cause: "stops reading", "does not apply" (naming the dates), and the recovery. These
causes have their own chain, apart from the import's: an import failing and a platform
not reading are two problems, each told once and each recovered once.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from django.db.models import Case, F, Q, Value, When

from icalbridge.alerts.causes import alert_if_cause_changed
from icalbridge.core.export_status import ExportReason
from icalbridge.hub.models import AlertCause, Channel
from icalbridge.sync.export_loop import forget_old_facts
from icalbridge.sync.export_side import export_side

_CAUSE_OF_REASON = {
    ExportReason.NOT_FETCHED: AlertCause.EXPORT_NOT_FETCHED,
    ExportReason.NOT_APPLIED: AlertCause.EXPORT_NOT_APPLIED,
    ExportReason.OK: AlertCause.EXPORT_RECOVERED,
}
BATCH = 200


def collect_export_alerts(now: datetime) -> int:
    """Re-derive the export side of the channels due for it; return how many alerts were made."""
    made = 0
    for channel_id in _due_channel_ids(now):
        made += check_export_side(channel_id, now)
    return made


def check_export_side(channel_id: int, now: datetime) -> int:
    """Derive one channel's export side, store it, and alert on a new cause; return 0 or 1."""
    channel = Channel.objects.select_related("unit").filter(pk=channel_id).first()
    if channel is None or not channel.exports:
        return 0
    forget_old_facts(channel_id, now)
    side = export_side(channel, now)
    # A fact recorded while this one was derived made the channel due again: kept due.
    due_unchanged = Q(export_check_due_at=channel.export_check_due_at)
    if channel.export_check_due_at is None:
        due_unchanged = Q(export_check_due_at__isnull=True)
    Channel.objects.filter(pk=channel_id).update(
        export_state=side.state,
        export_reason=side.reason,
        export_checked_at=now,
        export_figures=asdict(side.figures),
        export_check_due_at=Case(
            When(due_unchanged, then=Value(side.recheck_at)),
            default=F("export_check_due_at"),
        ),
    )
    cause = _CAUSE_OF_REASON.get(side.verdict.reason)
    if cause is None:
        return 0
    dates = "; ".join(
        f"{n.start.isoformat()}/{n.end.isoformat()}" for n in side.verdict.not_applied
    )
    return alert_if_cause_changed(channel_id, cause, now, dates)


def _due_channel_ids(now: datetime) -> list[int]:
    exporting = Channel.objects.filter(is_active=True).exclude(direction="import")
    return list(
        exporting.filter(Q(export_check_due_at__isnull=True) | Q(export_check_due_at__lte=now))
        .order_by(F("export_check_due_at").asc(nulls_first=True), "id")
        .values_list("id", flat=True)[:BATCH]
    )
