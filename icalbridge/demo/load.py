"""A demo organization: one login, two units, a few channels and bookings."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from icalbridge import clock
from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.hub.models import Channel, Unit
from icalbridge.organizations.owners import new_user_with_organization
from icalbridge.sync.exporter import refresh_unit_feeds

DEMO_EMAIL = "demo@icalbridge.local"
DEMO_PASSWORD = "gite-demo-2026"


def load_demo_if_empty(base_url: str) -> bool:
    """Create the demo when the database has no user yet; return whether it did."""
    if get_user_model().objects.exists():
        return False
    _, organization = new_user_with_organization(DEMO_EMAIL, DEMO_PASSWORD, "Démo icalbridge")
    now = clock.now()
    today = timezone.localdate(now)
    tilleuls = Unit.objects.create(organization=organization, name="Gîte des Tilleuls")
    port = Unit.objects.create(organization=organization, name="Studio du Port")
    airbnb = Channel.objects.create(
        unit=tilleuls,
        name="Airbnb",
        platform="airbnb",
        direction="both",
        import_url=f"{base_url}/demo/feeds/airbnb.ics",
        next_poll_at=now,
    )
    Channel.objects.create(
        unit=tilleuls,
        name="Booking.com",
        platform="booking",
        direction="both",
        import_url=f"{base_url}/demo/feeds/booking.ics",
        next_poll_at=now,
    )
    Channel.objects.create(unit=tilleuls, name="Abritel", platform="abritel", direction="export")
    Channel.objects.create(
        unit=port,
        name="Airbnb",
        platform="airbnb",
        direction="both",
        import_url=f"{base_url}/demo/feeds/airbnb.ics",
        next_poll_at=now,
    )
    Channel.objects.create(unit=port, name="Google Agenda", platform="google", direction="export")
    create_local_booking(
        tilleuls,
        span=Nights(today + timedelta(days=40), today + timedelta(days=44)),
        kind=Kind.RESERVED,
        summary="Famille Martin (direct)",
    )
    create_local_booking(
        tilleuls,
        span=Nights(today + timedelta(days=50), today + timedelta(days=57)),
        kind=Kind.UNAVAILABLE,
        summary="Travaux",
        channel_ids=[airbnb.pk],
    )
    create_local_booking(
        port,
        span=Nights(today + timedelta(days=5), today + timedelta(days=9)),
        kind=Kind.TENTATIVE,
        summary="Option M. Durand",
    )
    for unit in (tilleuls, port):
        refresh_unit_feeds(unit)
    return True
