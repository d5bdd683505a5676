"""A conflict the hub recorded counts as a false alarm only when no double booking is behind it.

The hub stores the second and later pieces of a block it cut around nights it served as
``UID#2``, ``UID#3``; a conflict on such a piece of a Booking.com sale is the sale's double
booking, as is a conflict on one that ended within a poll. Whatever stays unmatched is
named in the report with the world's items on its nights, so that a host's closure on
Booking.com (exported like a sale, so docs/domain.md rule 9 alerts it) can be told from a hub fault.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from icalbridge.hub.models import Booking, Conflict, ImportRun, Unit
from icalbridge.sim.hub_data import HubUnit
from icalbridge.sim.measures import DoubleBooking
from icalbridge.sim.platform_styles import exported_uid
from icalbridge.sim.report import _double_bookings
from icalbridge.sim.world_state import Item
from tests.support.hub import new_channel, new_unit

pytestmark = pytest.mark.django_db(transaction=True)
START = datetime(2027, 3, 1, tzinfo=UTC)
JULY_6 = date(2027, 7, 6).toordinal()
POLL = 900


def world_of(items: list[Item], doubles: list[DoubleBooking]) -> SimpleNamespace:
    """A world of one unit with Airbnb and Booking.com channels, the hub reading both at 300."""
    unit = new_unit()
    channels = {p: new_channel(unit, p, p, direction="both").pk for p in ("airbnb", "booking")}
    for channel in channels.values():
        ImportRun.objects.create(
            channel_id=channel, started_at=START + timedelta(seconds=300), outcome="applied"
        )
    return SimpleNamespace(
        items={i.id: i for i in items},
        unit_items=[items],
        faults={},
        measures=SimpleNamespace(double_bookings=doubles),
        interval=POLL,
        quiet_end_t=400 * 86400,
        hub_units=[HubUnit(unit.pk, channels, feed_url_of={})],
        instant=lambda t: START + timedelta(seconds=t),
        t_of=lambda instant: int((instant - START).total_seconds()),
    )


def hub_booking(
    world: SimpleNamespace, source: str, uid: str, nights: int, **flags: object
) -> Booking:
    return Booking.objects.create(
        unit=Unit.objects.get(pk=world.hub_units[0].unit_id),
        kind=flags.pop("kind", "reserved"),
        start_date=date.fromordinal(JULY_6),
        end_date=date.fromordinal(JULY_6 + nights),
        origin_id=world.hub_units[0].channel_of[source],
        remote_uid=uid,
        **flags,
    )


def conflict_between(world: SimpleNamespace, first: Booking, second: Booking) -> Conflict:
    return Conflict.objects.create(
        unit_id=world.hub_units[0].unit_id,
        first=first,
        second=second,
        start=first.start_date,
        end=min(first.end_date, second.end_date),
        detected_at=START + timedelta(seconds=1200),
    )


STAY = Item(1, "airbnb", 0, "airbnb-0-1", (JULY_6, JULY_6 + 3), True, since=0)
SALE = Item(2, "booking", 0, "booking-0-2", (JULY_6, JULY_6 + 3), True, since=600)
SALE_DOUBLES_STAY = DoubleBooking(
    2, 1, "booking", booked_at=600, view_at=0, first_since=0, first_source="airbnb"
)


def test_a_conflict_on_a_piece_the_hub_cut_from_a_sale_is_that_sale_s_double_booking() -> None:
    world = world_of([STAY, SALE], [SALE_DOUBLES_STAY])
    stay = hub_booking(world, "airbnb", exported_uid("airbnb", STAY.uid, is_reservation=True), 3)
    piece = hub_booking(
        world,
        "booking",
        f"{exported_uid('booking', SALE.uid)}#2",
        3,
        kind="unavailable",
        is_block=True,
    )
    conflict_between(world, stay, piece)

    report = _double_bookings(world, [])

    assert report["conflicts_recorded"] == 1
    assert report["hub_conflicts_without_double_booking"] == 0
    assert report["false_alarm_examples"] == []


def test_a_conflict_for_a_double_booking_that_ended_within_a_poll_is_no_false_alarm() -> None:
    brief = DoubleBooking(
        2, 1, "booking", booked_at=600, view_at=0, first_since=0, first_source="airbnb"
    )
    brief.ended_at = 600 + POLL
    world = world_of([STAY, SALE], [brief])
    stay = hub_booking(world, "airbnb", exported_uid("airbnb", STAY.uid, is_reservation=True), 3)
    sale = hub_booking(world, "booking", exported_uid("booking", SALE.uid), 3, kind="unavailable")
    conflict_between(world, stay, sale)

    report = _double_bookings(world, [])

    assert report["conflicts"] == 0
    assert report["hub_conflicts_without_double_booking"] == 0


def test_a_stay_over_a_booking_com_closure_is_named_with_the_closure_behind_it() -> None:
    closure = Item(3, "booking", 0, "booking-0-3", (JULY_6 + 1, JULY_6 + 2), False, since=900)
    world = world_of([STAY, closure], [])
    stay = hub_booking(world, "airbnb", exported_uid("airbnb", STAY.uid, is_reservation=True), 3)
    block = hub_booking(world, "booking", "closed-run-0", 2, kind="unavailable", is_block=True)
    conflict_between(world, stay, block)

    report = _double_bookings(world, [])

    assert report["hub_conflicts_without_double_booking"] == 1
    [example] = report["false_alarm_examples"]
    assert example["unit"] == 0
    assert example["detected"] == "03-01 00:20"
    assert example["hub_bookings"] == [
        f"airbnb reserved 2027-07-06..2027-07-09 uid {stay.remote_uid[:24]}",
        "booking unavailable 2027-07-06..2027-07-08 uid closed-run-0",
    ]
    assert example["world_items"] == [
        "airbnb stay airbnb-0-1 2027-07-06..2027-07-09 since 03-01 00:00",
        "booking closure booking-0-3 2027-07-07..2027-07-08 since 03-01 00:15",
    ]
