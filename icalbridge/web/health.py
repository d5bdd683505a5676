"""Sync health as the dashboard shows it.

A channel's dot tells its overall state, the worse of its import and export sides, as
``sync.export_side.full_status`` decides it for the grid and the channel page; "Feed
failing" tells the import side alone (the export side has its own list on the dashboard).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from icalbridge.hub.models import Channel, ChannelState, Conflict, HeldChange, Unit
from icalbridge.sync.export_side import full_status
from icalbridge.sync.status import ChannelStatus

# Worst first: the dashboard puts what needs a look before what is fine.
_SEVERITY = {
    ChannelState.ERROR: 0,
    ChannelState.WARNING: 1,
    ChannelState.NEVER: 2,
    ChannelState.OK: 3,
}


@dataclass(frozen=True)
class ChannelHealth:
    channel: Channel
    status: ChannelStatus  # overall: the worse of the two sides
    imported: ChannelStatus  # the import side alone
    held: HeldChange | None

    @property
    def severity(self) -> int:
        return _SEVERITY[self.status.state]


@dataclass(frozen=True)
class UnitHealth:
    unit: Unit
    channels: tuple[ChannelHealth, ...]
    open_conflicts: int

    @property
    def severity(self) -> int:
        if self.open_conflicts:
            return -1  # a double booking costs more than a failing feed
        return min((c.severity for c in self.channels), default=3)

    @property
    def can_tell_conflicts(self) -> bool:
        """Tell whether "no double booking" can be said: some calendar it imports was read.

        With every import failing, the platforms' stays are unknown: a green "no double
        booking" would be a guess (docs/architecture.md house rule 6).
        """
        importing = [c.channel for c in self.channels if c.channel.imports]
        return not importing or any(
            c.consecutive_failures == 0 and c.last_success_at is not None for c in importing
        )


@dataclass(frozen=True)
class Attention:
    failing: tuple[ChannelHealth, ...]
    held: tuple[ChannelHealth, ...]
    conflicts: tuple[Conflict, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.failing or self.held or self.conflicts)


def channel_health_of(channels: Iterable[Channel], now: datetime) -> list[ChannelHealth]:
    """Return each channel with its status, worst first, then by name."""
    rows = []
    for channel in channels:
        held = HeldChange.objects.filter(channel=channel).first()
        full = full_status(channel, now, held)
        rows.append(ChannelHealth(channel, full.overall, full.imported, held))
    return sorted(rows, key=lambda h: (h.severity, h.channel.name.lower()))


def unit_health_of(units: Iterable[Unit], now: datetime) -> list[UnitHealth]:
    """Return every unit with its channels' health and its number of open conflicts."""
    result = []
    for unit in units:
        channels = unit.channels.filter(is_active=True)
        conflicts = Conflict.objects.filter(unit=unit, state="open").count()
        result.append(UnitHealth(unit, tuple(channel_health_of(channels, now)), conflicts))
    return result


def attention_of(units: list[UnitHealth]) -> Attention:
    """Return what needs the host now: failing feeds, held changes, double bookings."""
    channels = [c for u in units for c in u.channels]
    failing = tuple(
        c
        for c in channels
        if c.imported.state == ChannelState.ERROR or c.imported.reason == "retrying"
    )
    held = tuple(c for c in channels if c.held is not None)
    conflicts = tuple(
        Conflict.objects.filter(unit__in=[u.unit for u in units], state="open")
        .select_related("unit", "first__origin", "second__origin")
        .order_by("start")
    )
    return Attention(failing, held, conflicts)
