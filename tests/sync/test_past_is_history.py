"""Stays that are over are history: rental exports trim them, conflicts leave them be.

docs/domain.md rule 6.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.exports import rental_export_since
from icalbridge.core.spans import Nights
from icalbridge.hub.models import Booking, Conflict, PublishedFeed, Unit
from icalbridge.sync.conflict_tracking import update_unit_conflicts
from tests.support.hub import days_from_today, new_channel, new_unit

pytestmark = pytest.mark.django_db(transaction=True)


def stay(start: int, end: int) -> Nights:
    return Nights(days_from_today(start), days_from_today(end))


def test_a_rental_export_keeps_last_month_and_this_one_and_an_agenda_keeps_everything() -> None:
    unit = new_unit()
    booking = new_channel(unit, "Booking.com", "booking", direction="export")
    agenda = new_channel(unit, "Agenda", "google", direction="export")
    since = rental_export_since(days_from_today(0))
    over = Nights(since - timedelta(days=6), since - timedelta(days=1))
    last_kept = Nights(since - timedelta(days=3), since)
    coming = stay(5, 8)
    for span in (over, last_kept, coming):
        create_local_booking(unit, span=span, kind=Kind.RESERVED)

    rental = PublishedFeed.objects.get(channel=booking)
    assert rental.nights == [
        [last_kept.start.isoformat(), last_kept.end.isoformat()],
        [coming.start.isoformat(), coming.end.isoformat()],
    ]
    assert PublishedFeed.objects.get(channel=agenda).event_count == 3


def airbnb_stay(unit: Unit, start: int, end: int) -> Booking:
    airbnb = new_channel(unit, "Airbnb", "airbnb", direction="import")
    span = stay(start, end)
    return Booking.objects.create(
        unit=unit,
        kind=Kind.RESERVED,
        all_day=True,
        start_date=span.start,
        end_date=span.end,
        origin=airbnb,
        remote_uid=f"stay-{start}@airbnb.com",
    )


def test_a_direct_booking_over_a_stay_that_is_over_is_no_new_conflict() -> None:
    unit = new_unit()
    airbnb_stay(unit, -10, -5)
    create_local_booking(unit, span=stay(-7, -3), kind=Kind.RESERVED)

    assert not Conflict.objects.exists()


def test_a_double_booking_that_is_over_stays_open_rather_than_resolved() -> None:
    unit = new_unit()
    airbnb_stay(unit, 5, 10)
    create_local_booking(unit, span=stay(8, 12), kind=Kind.RESERVED)
    conflict = Conflict.objects.get()
    assert conflict.state == "open"

    update_unit_conflicts(unit, timezone.now() + timedelta(days=20))

    conflict.refresh_from_db()
    assert conflict.state == "open" and conflict.resolved_at is None
