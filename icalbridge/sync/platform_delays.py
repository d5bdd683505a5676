"""How fast each platform reads and applies our links, across the hub's channels.

Read from what the worker stored at its last check of each exporting channel (its reason
and its measured delays of the last 30 days, ``alerts.export_causes``), so that /metrics
and the operator's page cost one query whatever the number of channels. A platform's
figure is the median over its channels of each channel's own percentile: a channel that
is read every ten minutes and one read daily both count once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median

from icalbridge.core.export_status import ExportReason
from icalbridge.hub.models import Channel

FIGURES = (
    "read_interval_p50_s",
    "read_interval_p90_s",
    "read_delay_p50_s",
    "read_delay_p90_s",
    "applied_delay_p50_s",
    "applied_delay_p90_s",
)


@dataclass
class PlatformDelays:
    platform: str
    channels: int = 0
    not_reading: int = 0
    not_applying: int = 0
    figures: dict[str, int | None] = field(default_factory=dict)


def platform_delays() -> list[PlatformDelays]:
    """Return each platform's exporting channels, problems and median figures, by platform id."""
    rows = (
        Channel.objects.filter(is_active=True, export_checked_at__isnull=False)
        .exclude(direction="import")
        .values_list("platform", "export_reason", "export_figures")
    )
    found: dict[str, PlatformDelays] = {}
    samples: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for platform, reason, figures in rows:
        entry = found.setdefault(platform, PlatformDelays(platform))
        entry.channels += 1
        entry.not_reading += reason == ExportReason.NOT_FETCHED
        entry.not_applying += reason == ExportReason.NOT_APPLIED
        for name in FIGURES:
            value = (figures or {}).get(name)
            if value is not None:
                samples[platform][name].append(value)
    for platform, entry in found.items():
        entry.figures = {
            name: round(median(samples[platform][name])) if samples[platform][name] else None
            for name in FIGURES
        }
    return [found[p] for p in sorted(found)]
