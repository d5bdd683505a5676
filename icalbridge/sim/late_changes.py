"""Why a change is late: what the hub's exports carry on its nights, and what stands there.

A change the hub's exports still do not show one poll (and a minute) after it was made
is traced once, at the first check that finds it late (one is made just after that time,
in case the unit saw no import then): per export, the nights it has that it should not
and those it lacks; the hub's bookings on those nights (their channel, kind and whether
the hub took them for echoes); the imports held for confirmation (docs/domain.md rule 7); and
what each
platform really holds there (its own items, and the nights it imported from the hub).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from icalbridge.core.spans import StayTimes, nights_of
from icalbridge.hub.models import Booking, HeldChange, Unit
from icalbridge.sim.hub_data import HubUnit, describe_booking, export_nights
from icalbridge.sim.world_state import Listing, dates_of

if TYPE_CHECKING:
    from icalbridge.sim.measures import Change

TRACES_KEPT = 20


class World(Protocol):
    """What a trace reads of the world (``sim.world.World``, which calls this module)."""

    @property
    def t(self) -> int: ...
    @property
    def interval(self) -> int: ...
    @property
    def hub_units(self) -> list[HubUnit]: ...
    @property
    def listings(self) -> dict[tuple[str, int], Listing]: ...
    def expected_nights(self, unit: int, platform: str) -> set[int]: ...
    def instant(self, t: int) -> datetime: ...


def late_after_s(world: World) -> int:
    """Return how long after a change the hub's exports are late to show it: a poll and a minute."""
    return int(1.1 * world.interval) + 60


def is_late(world: World, change: Change) -> bool:
    return change.hub_at is None and world.t - change.at > late_after_s(world)


def trace_late_change(world: World, change: Change) -> dict[str, object]:
    """Return what stands on a late change's nights, in the hub and on every platform."""
    unit = change.unit
    nights = set(change.nights)
    first, last = date.fromordinal(min(nights)), date.fromordinal(max(nights) + 1)
    exports = {}
    for platform, exported in export_nights(world.hub_units[unit]).items():
        expected = world.expected_nights(unit, platform) & nights
        shown = exported & nights
        if shown != expected:
            exports[platform] = {
                "extra": dates_of(shown - expected),
                "lacking": dates_of(expected - shown),
            }
    source_of = world.hub_units[unit].source_of_channel
    held = {
        source_of[ch]: reason
        for ch, reason in HeldChange.objects.filter(channel_id__in=source_of).values_list(
            "channel_id", "reason"
        )
    }
    hub_unit = Unit.objects.get(pk=world.hub_units[unit].unit_id)
    hub = [
        describe_booking(b, world.hub_units[unit])
        for b in Booking.objects.filter(unit=hub_unit, cancelled_at__isnull=True).order_by(
            "start_date", "start_at"
        )
        if _touches(b, hub_unit.stay_times, first, last)
    ]
    platforms = {}
    for (source, listing_unit), listing in world.listings.items():
        if listing_unit != unit:
            continue
        own = [
            f"{i.uid} {dates_of(i.night_set() & nights)}"
            for i in listing.own.values()
            if i.night_set() & nights
        ]
        fetches = [f"{world.instant(t):%m-%d %H:%M}" for t in listing.fetch_times[-2:]]
        platforms[source] = {
            "own": own,
            "imported": dates_of(set(listing.imported) & nights),
            "last_fetches": fetches,
        }
    return {
        "change": f"{change.source} unit {unit} at {world.instant(change.at):%m-%d %H:%M}"
        f" {dates_of(nights)}",
        "traced_after_s": world.t - change.at,
        "exports_off": exports,
        "hub_bookings": hub,
        "held_imports": held,
        "platforms": platforms,
    }


def _touches(booking: Booking, stay: StayTimes, first: date, last: date) -> bool:
    booked = nights_of(booking.span, stay)
    return booked is not None and booked.start <= last and booked.end >= first
