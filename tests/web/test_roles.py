"""Every page and form checks the role: viewers read only, other organizations see nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.hub.models import (
    AgendaFeed,
    Booking,
    Channel,
    Conflict,
    HeldChange,
    Membership,
    PublishedFeed,
    Role,
    Unit,
    WebhookTarget,
)
from icalbridge.sync.exporter import refresh_unit_feeds
from icalbridge.web import urls as web_urls
from tests.web.conftest import make_org

pytestmark = pytest.mark.django_db


@dataclass
class World:
    unit: Unit
    channel: Channel
    booking: Booking
    conflict: Conflict
    agenda: AgendaFeed
    owner_membership: Membership
    owner: Any
    viewer: Any
    outsider: Any


@pytest.fixture
def world() -> World:
    home = make_org("owner@moulin.test", "Gîtes du Moulin")
    unit = Unit.objects.create(organization=home.organization, name="Gîte des Tilleuls")
    channel = Channel.objects.create(
        unit=unit,
        name="Airbnb",
        platform="airbnb",
        direction="both",
        import_url="https://calendar.invalid/airbnb.ics",
    )
    start = date.today() + timedelta(days=30)
    booking = create_local_booking(
        unit, span=Nights(start, start + timedelta(days=3)), kind=Kind.RESERVED
    )
    imported = Booking.objects.create(
        unit=unit,
        kind="reserved",
        origin=channel,
        remote_uid="x@airbnb.com",
        start_date=start,
        end_date=start + timedelta(days=2),
    )
    conflict = Conflict.objects.create(
        unit=unit,
        first=booking,
        second=imported,
        start=start,
        end=start + timedelta(days=2),
        detected_at=timezone.now(),
    )
    HeldChange.objects.create(channel=channel, reason="mass_cancel", fingerprint="f", body=b"")
    agenda = AgendaFeed.objects.create(user=home.owner, organization=home.organization, name="Mine")
    PublishedFeed.objects.create(agenda=agenda)
    refresh_unit_feeds(unit)
    WebhookTarget.objects.create(
        organization=home.organization, url="https://hooks.invalid/moulin", is_active=False
    )
    viewer = make_org("viewer@moulin.test", "Viewer's own").owner
    Membership.objects.create(user=viewer, organization=home.organization, role=Role.VIEWER)
    outsider = make_org("owner@ailleurs.test", "Ailleurs").owner
    return World(
        unit,
        channel,
        booking,
        conflict,
        agenda,
        Membership.objects.get(user=home.owner, organization=home.organization),
        home.owner,
        viewer,
        outsider,
    )


def _kwargs(world: World, name: str) -> dict[str, Any]:
    unit, channel = {"unit_id": world.unit.public_id}, {"channel_id": world.channel.public_id}
    webhook = {"webhook_id": WebhookTarget.objects.get(organization=world.unit.organization).pk}
    return {
        "unit_calendar": unit,
        "unit_week": unit,
        "unit_day": unit,
        "unit_edit": unit,
        "booking_create": unit,
        "channel_pick": unit,
        "channel_check_url": unit,
        "channel_create": {**unit, "platform_id": "booking"},
        "booking_detail": {"booking_id": world.booking.public_id},
        "booking_cancel": {"booking_id": world.booking.public_id},
        "channel_detail": channel,
        "channel_edit": channel,
        "channel_import": channel,
        "channel_reset_link": channel,
        "channel_remove": channel,
        "held_apply": channel,
        "held_keep": channel,
        "conflict_detail": {"conflict_id": world.conflict.pk},
        "member_role": {"member_id": world.owner_membership.pk},
        "member_remove": {"member_id": world.owner_membership.pk},
        "agenda_feed_revoke": {"agenda_id": world.agenda.pk},
        "agenda_feed_caldav": {"agenda_id": world.agenda.pk},
        "agenda_feed_caldav_stop": {"agenda_id": world.agenda.pk},
        "agenda_feed_google": {"agenda_id": world.agenda.pk},
        "webhook_enable": webhook,
        "webhook_remove": webhook,
    }.get(name, {})


# (url name, method, what a viewer of the organization gets)
MATRIX = [
    ("dashboard", "get", 200),
    ("planning", "get", 200),
    ("unit_create", "get", 403),
    ("unit_create", "post", 403),
    ("unit_calendar", "get", 200),
    ("unit_week", "get", 200),
    ("unit_day", "get", 200),
    ("agenda_week", "get", 200),
    ("agenda_day", "get", 200),
    ("unit_edit", "get", 403),
    ("unit_edit", "post", 403),
    ("booking_create", "get", 403),
    ("booking_create", "post", 403),
    ("booking_detail", "get", 200),
    ("booking_detail", "post", 403),
    ("booking_cancel", "post", 403),
    ("channel_pick", "get", 200),
    ("channel_create", "get", 403),
    ("channel_create", "post", 403),
    ("channel_check_url", "post", 403),
    ("channel_detail", "get", 200),
    ("channel_edit", "get", 403),
    ("channel_edit", "post", 403),
    ("channel_import", "post", 403),
    ("channel_reset_link", "get", 403),
    ("channel_reset_link", "post", 403),
    ("channel_remove", "get", 403),
    ("channel_remove", "post", 403),
    ("held_apply", "post", 403),
    ("held_keep", "post", 403),
    ("conflict_detail", "get", 200),
    ("members", "get", 200),
    ("members", "post", 403),
    ("member_role", "post", 403),
    ("member_remove", "post", 403),
    ("agenda_feeds", "get", 200),
    ("notifications", "get", 200),
    ("notifications", "post", 200),  # one's own preferences; this form lacks the language
    ("webhook_add", "post", 403),
    ("webhook_enable", "post", 403),
    ("webhook_remove", "post", 403),
    ("agenda_feed_revoke", "post", 404),  # someone else's link
    ("agenda_feed_caldav", "post", 404),
    ("agenda_feed_caldav_stop", "post", 404),
    ("agenda_feed_google", "post", 404),
    ("google_return", "get", 302),
    ("audit_log", "get", 403),
    ("account_data_download", "get", 403),
    ("account_delete", "get", 200),
    ("account_delete", "post", 200),  # no password: nothing deleted
]
# Pages that act on the visitor's own organization: an outsider sees their own, not ours.
OWN_ORGANIZATION = {
    "dashboard",
    "planning",
    "agenda_week",
    "agenda_day",
    "unit_create",
    "members",
    "agenda_feeds",
    "notifications",
    "webhook_add",
    "audit_log",
    "account_data_download",
    "account_delete",
    "google_return",
}
# Where Google sends people back: never a page, always a redirect to their agenda links.
RETURNS_FROM_ELSEWHERE = {"google_return"}
FORM = {
    "name": "Changed",
    "timezone": "Europe/Paris",
    "check_in": "16:00",
    "check_out": "10:00",
    "kind": "unavailable",
    "start": "2030-01-10",
    "end": "2030-01-12",
    "apply_on": "all",
    "direction": "export",
    "dtend": "checkout",
    "import_mode": "everything",
    "import_url": "https://calendar.invalid/x.ics",
    "email": "new@moulin.test",
    "role": "owner",
}


def _snapshot(world: World) -> tuple[Any, ...]:
    world.unit.refresh_from_db()
    feed = PublishedFeed.objects.filter(channel=world.channel).values_list("token", flat=True)
    return (
        world.unit.name,
        Unit.objects.count(),
        Channel.objects.count(),
        Booking.objects.filter(cancelled_at__isnull=True).count(),
        HeldChange.objects.count(),
        Membership.objects.count(),
        list(Membership.objects.values_list("role", flat=True).order_by("id")),
        list(feed),
        AgendaFeed.objects.filter(revoked_at__isnull=True).count(),
        list(WebhookTarget.objects.values_list("url", "is_active").order_by("id")),
    )


def _visit(client: Client, world: World, name: str, method: str) -> int:
    url = reverse(name, kwargs=_kwargs(world, name))
    response = client.post(url, FORM) if method == "post" else client.get(url)
    return response.status_code


@pytest.mark.parametrize(("name", "method", "expected"), MATRIX)
def test_a_viewer_reads_but_never_changes_anything(
    world: World, name: str, method: str, expected: int
) -> None:
    client = Client()
    client.force_login(world.viewer)
    client.post(reverse("organization_switch"), {"organization": world.unit.organization_id})
    before = _snapshot(world)
    assert _visit(client, world, name, method) == expected
    assert _snapshot(world) == before


@pytest.mark.parametrize(("name", "method", "_viewer"), MATRIX)
def test_a_member_of_another_organization_sees_nothing_of_ours(
    world: World, name: str, method: str, _viewer: int
) -> None:
    client = Client()
    client.force_login(world.outsider)
    before = _snapshot(world)
    url = reverse(name, kwargs=_kwargs(world, name))
    response = client.post(url, FORM) if method == "post" else client.get(url)
    if name in OWN_ORGANIZATION:
        assert response.status_code in (200, 302, 403)
        assert "Gîte des Tilleuls" not in response.content.decode()
    else:
        assert response.status_code in (403, 404)
    if name not in OWN_ORGANIZATION:
        assert _snapshot(world) == before


@pytest.mark.parametrize(("name", "method", "_viewer"), MATRIX)
def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(
    world: World, name: str, method: str, _viewer: int
) -> None:
    response = Client().get(reverse(name, kwargs=_kwargs(world, name)))
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


def test_every_page_of_the_web_interface_is_in_the_role_matrix() -> None:
    def names(patterns: list[Any]) -> set[str]:
        found: set[str] = set()
        for p in patterns:
            if isinstance(p, URLPattern) and p.name:
                found.add(p.name)
            elif (
                isinstance(p, URLResolver)
                and p.namespace is None
                and "auth" not in str(p.urlconf_name)
                and "i18n" not in str(p.urlconf_name)
            ):
                found |= names(p.url_patterns)
        return found

    public = {"signup", "signup_sent", "signup_confirm", "organization_switch"}
    assert names(web_urls.urlpatterns) - public == {name for name, _, _ in MATRIX}


def test_the_owner_can_open_every_page(world: World) -> None:
    client = Client()
    client.force_login(world.owner)
    for name, method, _ in MATRIX:
        if method == "get":
            expected = 302 if name in RETURNS_FROM_ELSEWHERE else 200
            assert _visit(client, world, name, "get") == expected, name
