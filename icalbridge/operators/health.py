"""The hub's health across every organization, as the operator reads it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q, QuerySet

from icalbridge.hub.models import (
    AlertDelivery,
    Channel,
    ChannelState,
    Conflict,
    ConflictState,
    DeliveryStatus,
    HeldChange,
    ImportRun,
    WebhookTarget,
)
from icalbridge.sync.export_side import plain_duration
from icalbridge.sync.platform_delays import platform_delays

SHOWN = 100


@dataclass(frozen=True)
class PlatformRow:
    """One platform's line on the operator's page, durations in words."""

    platform: str
    channels: int
    not_reading: int
    not_applying: int
    delays: list[str]


def platform_rows() -> list[PlatformRow]:
    """Return how fast each platform reads and applies, as the operator's page shows it."""
    return [
        PlatformRow(
            entry.platform,
            entry.channels,
            entry.not_reading,
            entry.not_applying,
            [plain_duration(v) if v is not None else "—" for v in entry.figures.values()],
        )
        for entry in platform_delays()
    ]


@dataclass(frozen=True)
class Health:
    now: datetime
    failing_channels: list[Channel]
    failing_count: int
    open_conflicts: list[Conflict]
    open_conflict_count: int
    held_changes: list[HeldChange]
    due_count: int
    queue_lag: timedelta | None
    imports_last_hour: dict[str, int]
    failing_deliveries: list[AlertDelivery]
    failing_delivery_count: int
    disabled_webhooks: list[WebhookTarget]
    platforms: list[PlatformRow]

    @property
    def imports_last_hour_total(self) -> int:
        return sum(self.imports_last_hour.values())


def due_channels(now: datetime) -> QuerySet[Channel]:
    """Return the importing channels whose next import time has come."""
    return (
        Channel.objects.filter(is_active=True, next_poll_at__lte=now)
        .exclude(import_url="")
        .exclude(direction="export")
    )


def queue_lag(now: datetime) -> timedelta | None:
    """Return how long the longest-waiting due channel has waited, None when none waits."""
    oldest = due_channels(now).aggregate(oldest=Min("next_poll_at"))["oldest"]
    return None if oldest is None else now - oldest


def failing_deliveries(now: datetime) -> QuerySet[AlertDelivery]:
    """Return deliveries waiting for a retry, and those given up on in the last day."""
    return AlertDelivery.objects.filter(
        Q(status=DeliveryStatus.FAILED, next_attempt_at__isnull=False)
        | Q(status=DeliveryStatus.GAVE_UP, created_at__gte=now - timedelta(days=1))
    )


def hub_health(now: datetime) -> Health:
    """Return what needs the operator's eye, across all organizations."""
    failing = Channel.objects.filter(state=ChannelState.ERROR).select_related("unit__organization")
    conflicts = Conflict.objects.filter(state=ConflictState.OPEN).select_related(
        "unit__organization", "first", "second"
    )
    runs = (
        ImportRun.objects.filter(started_at__gte=now - timedelta(hours=1))
        .order_by()
        .values("outcome")
        .annotate(n=Count("id"))
    )
    deliveries = failing_deliveries(now).select_related("webhook", "alert__organization")
    return Health(
        now=now,
        failing_channels=list(failing.order_by("-consecutive_failures", "id")[:SHOWN]),
        failing_count=failing.count(),
        open_conflicts=list(conflicts.order_by("start", "id")[:SHOWN]),
        open_conflict_count=conflicts.count(),
        held_changes=list(
            HeldChange.objects.select_related("channel__unit__organization").order_by("created_at")[
                :SHOWN
            ]
        ),
        due_count=due_channels(now).count(),
        queue_lag=queue_lag(now),
        imports_last_hour={row["outcome"]: row["n"] for row in runs},
        failing_deliveries=list(deliveries.order_by("-created_at", "-id")[:SHOWN]),
        failing_delivery_count=deliveries.count(),
        disabled_webhooks=list(
            WebhookTarget.objects.filter(is_active=False).select_related("organization")
        ),
        platforms=platform_rows(),
    )
