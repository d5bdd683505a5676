"""Alerts about CalDAV pushes: told to the push's owner alone, once when it fails, once back.

A push that never worked (a wrong password typed just now) is not alerted: its owner read
the answer when setting it up, on the page or in the API's answer.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery

from icalbridge.core.push_status import PERSON_MUST_ACT
from icalbridge.hub.models import Alert, AlertCause, CaldavPush
from icalbridge.sync.caldav_push import live_pushes

PUSH_CAUSES = (AlertCause.CALDAV_FAILING, AlertCause.CALDAV_RECOVERED)
BATCH = 200


def collect_push_alerts(now: datetime) -> int:
    """Alert the owners of pushes that turned to error, or back; return how many alerts."""
    latest = (
        Alert.objects.filter(caldav_push=OuterRef("pk"), cause__in=PUSH_CAUSES)
        .order_by("-created_at", "-id")
        .values("cause")[:1]
    )
    pushes = CaldavPush.objects.filter(live_pushes()).annotate(told=Subquery(latest))
    failing = Q(failure_code__in=[f.value for f in PERSON_MUST_ACT]) | Q(
        failures_in_row__gte=settings.ICALBRIDGE_FAILURES_BEFORE_ERROR
    )
    not_told = Q(told__isnull=True) | Q(told=AlertCause.CALDAV_RECOVERED)
    newly_failing = pushes.filter(
        failing, not_told, failures_in_row__gt=0, last_push_at__isnull=False
    )
    back = pushes.filter(failures_in_row=0, told=AlertCause.CALDAV_FAILING)
    made = 0
    for cause, found in (
        (AlertCause.CALDAV_FAILING, newly_failing),
        (AlertCause.CALDAV_RECOVERED, back),
    ):
        for push_id in found.order_by("id").values_list("id", flat=True)[:BATCH]:
            made += _alert_once(push_id, cause, now)
    return made


def _alert_once(push_id: int, cause: AlertCause, now: datetime) -> int:
    with transaction.atomic():
        # Locked so that two workers deciding together tell the owner once.
        push = (
            CaldavPush.objects.select_for_update()
            .select_related("agenda")
            .filter(live_pushes(), pk=push_id)
            .first()
        )
        if push is None or push.agenda is None:
            return 0
        last = (
            Alert.objects.filter(caldav_push=push, cause__in=PUSH_CAUSES)
            .order_by("-created_at", "-id")
            .values_list("cause", flat=True)
            .first()
        )
        if last == cause or (cause == AlertCause.CALDAV_RECOVERED and last is None):
            return 0
        Alert.objects.create(
            organization_id=push.agenda.organization_id,
            cause=cause,
            caldav_push=push,
            message=push.failure_code,
            created_at=now,
        )
        return 1
