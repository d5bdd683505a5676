"""Where each booking stands on each platform its export reaches (issue "closed loop", item 2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from icalbridge.core.deliveries import Delivery, DeliveryState, LoopFacts, delivery_of
from icalbridge.core.exports import bookings_for_channel, ends_before, rental_export_since
from icalbridge.core.spans import Nights, nights_of
from icalbridge.hub.models import Booking, Channel, Unit
from icalbridge.sync.export_loop import loop_facts, not_applied_grace
from icalbridge.sync.exporter import is_rental_platform


@dataclass(frozen=True)
class _Loop:
    channel: Channel
    facts: LoopFacts
    rental: bool


class DeliveryBoard:
    """The export loops of one unit's channels, read once for all its bookings."""

    def __init__(self, unit: Unit, now: datetime) -> None:
        self.unit = unit
        self.now = now
        self.today = now.astimezone(unit.zone).date()
        self.since = rental_export_since(self.today)
        channels = unit.channels.filter(is_active=True).order_by("id")
        self.loops = [
            _Loop(c, loop_facts(c, now), is_rental_platform(c.platform))
            for c in channels
            if c.exports
        ]

    def deliveries_of(self, booking: Booking) -> list[tuple[Channel, Delivery]]:
        """Return the booking's delivery on each channel whose export holds it."""
        if booking.cancelled_at is not None:
            return []
        scope = None if booking.scope_all else frozenset(str(c.pk) for c in booking.scope.all())
        core = booking.as_core(scope)
        nights = nights_of(core.span, self.unit.stay_times)
        found = []
        for loop in self.loops:
            flt = loop.channel.export_filter
            if not bookings_for_channel([core], loop.channel.key, flt) or nights is None:
                continue
            if loop.rental and ends_before(core.span, self.since):
                continue
            if loop.rental:
                delivery = delivery_of(
                    nights, loop.facts, now=self.now, today=self.today, grace=not_applied_grace()
                )
            else:
                delivery = _read_since_change(nights, loop.facts, booking.updated_at)
            found.append((loop.channel, delivery))
        return found


def _read_since_change(nights: Nights, facts: LoopFacts, changed_at: datetime) -> Delivery:
    """Return the delivery to a calendar app: read once it fetched after the booking changed.

    Calendar apps get timed events, not nights, and never show them back as blocks.
    """
    fetched = [f.at for f in facts.fetches if f.at >= changed_at]
    state = DeliveryState.FETCHED if fetched else DeliveryState.WAITING
    return Delivery(nights, state, changed_at, min(fetched, default=None), None, len(fetched))
