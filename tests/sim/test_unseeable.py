"""A sale that reaches the hub only as the echo of another booking is told apart from a miss.

Booking.com shows a sale as the same "CLOSED" block as the dates it imported from us: if
it fetched the other booking's nights from the hub after the sale and before the hub read
its feed, no iCal reader can tell the sale from our echo (docs/domain.md rule 8). The report counts
those apart; any other double booking the hub did not record stays a failure.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from icalbridge.hub.models import ImportRun
from icalbridge.sim.measures import DoubleBooking
from icalbridge.sim.report import _is_unseeable
from icalbridge.sim.world_state import Item, Listing
from tests.support.hub import new_channel, new_unit

pytestmark = pytest.mark.django_db(transaction=True)
START = datetime(2027, 3, 1, tzinfo=UTC)
HOUR = 3600


def world_where(booking_fetches: list[int], hub_reads: dict[str, list[int]]) -> SimpleNamespace:
    """A world of one unit: an Abritel stay made at 0, a Booking.com sale at 600."""
    unit = new_unit()
    channels = {p: new_channel(unit, p, p, direction="both").pk for p in ("booking", "abritel")}
    for platform, reads in hub_reads.items():
        for t in reads:
            started = START + timedelta(seconds=t)
            ImportRun.objects.create(
                channel_id=channels[platform], started_at=started, outcome="applied"
            )
    listing = Listing("booking", 0, "booking-0")
    listing.fetch_times = booking_fetches
    items = {
        1: Item(1, "abritel", 0, "abritel-0-1", (740_000, 740_004), True, since=0),
        2: Item(2, "booking", 0, "booking-0-2", (740_001, 740_003), True, since=600),
    }
    return SimpleNamespace(
        items=items,
        listings={("booking", 0): listing},
        hub_units=[SimpleNamespace(channel_of=channels)],
        instant=lambda t: START + timedelta(seconds=t),
        t_of=lambda instant: int((instant - START).total_seconds()),
    )


SALE = DoubleBooking(
    2, 1, "booking", booked_at=600, view_at=0, first_since=0, first_source="abritel"
)


def test_a_sale_booking_com_closed_after_fetching_our_nights_is_unseeable() -> None:
    # The hub showed the Abritel stay at 300; Booking.com fetched it at 900, after its sale
    # at 600; the hub read Booking.com's feed only at 1200.
    world = world_where([900], {"abritel": [300], "booking": [1200]})

    assert _is_unseeable(world, SALE)


def test_a_sale_the_hub_read_before_booking_com_fetched_our_nights_is_a_miss() -> None:
    world = world_where([900], {"abritel": [300], "booking": [700]})

    assert not _is_unseeable(world, SALE)


def test_a_sale_booking_com_fetched_nothing_about_since_is_a_miss() -> None:
    # Booking.com's only fetch after its sale, at 700, came before the hub showed the stay.
    world = world_where([700], {"abritel": [800], "booking": [1200]})

    assert not _is_unseeable(world, SALE)
