"""Owners see who changed what; a host downloads all their data or deletes their account."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from icalbridge.hub.models import (
    AuditAction,
    AuditEvent,
    Booking,
    Channel,
    ImportRun,
    Membership,
    Organization,
    PublishedFeed,
    Role,
    Unit,
)
from icalbridge.organizations.audit import record_audit
from tests.web.conftest import PASSWORD
from tests.web.test_roles import World
from tests.web.test_roles import world as roles_world  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(roles_world: World) -> World:  # noqa: F811
    """The role matrix's world: an organization with a unit, channel, booking and conflict."""
    return roles_world


def _client(user: Any, **extra: Any) -> Client:
    client = Client(**extra)
    client.force_login(user)
    return client


def _viewer_client(world: World) -> Client:
    client = _client(world.viewer)
    client.post(reverse("organization_switch"), {"organization": world.unit.organization_id})
    return client


def _actions(world: World) -> list[str]:
    events = AuditEvent.objects.filter(organization=world.unit.organization).order_by("at", "id")
    return list(events.values_list("action", flat=True))


def test_resetting_an_export_link_is_recorded_with_who_and_from_where(world: World) -> None:
    owner = _client(world.owner, REMOTE_ADDR="198.51.100.20")
    owner.post(reverse("channel_reset_link", kwargs={"channel_id": world.channel.public_id}))
    event = AuditEvent.objects.get(organization=world.unit.organization)
    assert event.action == AuditAction.EXPORT_LINK_RESET
    assert event.actor == world.owner and event.actor_email == world.owner.email
    assert event.target == "Gîte des Tilleuls / Airbnb"
    assert event.ip == "198.51.100.20"


def test_adding_changing_and_removing_a_member_is_recorded(world: World) -> None:
    owner = _client(world.owner)
    owner.post(reverse("members"), {"email": "new@moulin.test", "role": "manager"})
    added = Membership.objects.get(user__username="new@moulin.test")
    owner.post(reverse("member_role", kwargs={"member_id": added.pk}), {"role": "viewer"})
    owner.post(reverse("member_remove", kwargs={"member_id": added.pk}))
    assert _actions(world) == ["member_added", "role_changed", "member_removed"]
    changed = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGED)
    assert changed.target == "new@moulin.test"
    assert changed.details == {"before": "manager", "role": "viewer"}


def test_a_refused_change_records_nothing(world: World) -> None:
    _viewer_client(world).post(
        reverse("channel_reset_link", kwargs={"channel_id": world.channel.public_id})
    )
    owner = _client(world.owner)
    owner.post(
        reverse("member_role", kwargs={"member_id": world.owner_membership.pk}), {"role": "viewer"}
    )
    assert _actions(world) == []


def test_a_forged_address_header_never_breaks_the_audited_change(world: World) -> None:
    owner = _client(world.owner, REMOTE_ADDR="not an address")
    response = owner.post(
        reverse("channel_reset_link", kwargs={"channel_id": world.channel.public_id})
    )
    assert response.status_code == 302
    assert AuditEvent.objects.get().ip is None


def test_owners_read_the_audit_log_and_others_cannot(world: World) -> None:
    record_audit(world.unit.organization, AuditAction.EXPORT_LINK_RESET, target="Gîte / Airbnb")
    record_audit(world.outsider.memberships.get().organization, "member_added", target="secret")
    page = _client(world.owner).get(reverse("audit_log"))
    assert page.status_code == 200
    assert "Gîte / Airbnb" in page.content.decode()
    assert "secret" not in page.content.decode()
    assert _viewer_client(world).get(reverse("audit_log")).status_code == 403
    assert Client().get(reverse("audit_log")).status_code == 302


def test_the_data_download_holds_everything_but_the_links_secrets(world: World) -> None:
    Channel.objects.filter(pk=world.channel.pk).update(
        import_url="https://www.airbnb.com/calendar/ical/123.ics?s=very-secret-key"
    )
    ImportRun.objects.create(
        channel=world.channel, started_at=world.booking.created_at, outcome="applied", added=1
    )
    feed_token = PublishedFeed.objects.filter(channel=world.channel).get().token
    response = _client(world.owner).get(reverse("account_data_download"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content.decode()
    data = json.loads(body)
    assert [u["name"] for u in data["units"]] == ["Gîte des Tilleuls"]
    assert data["channels"][0]["import_server"] == "https://www.airbnb.com/…"
    assert len(data["bookings"]) == Booking.objects.filter(unit=world.unit).count()
    assert data["import_runs"][0]["added"] == 1
    assert {m["email"] for m in data["members"]} == {"owner@moulin.test", "viewer@moulin.test"}
    assert "very-secret-key" not in body and feed_token not in body
    assert "Ailleurs" not in body
    assert data["audit_events"][-1]["action"] == "data_downloaded"


def test_only_owners_download_the_data(world: World) -> None:
    assert _viewer_client(world).get(reverse("account_data_download")).status_code == 403


def test_a_wrong_password_deletes_nothing(world: World) -> None:
    owner = _client(world.owner)
    response = owner.post(reverse("account_delete"), {"password": "not-it"})
    assert response.status_code == 200
    assert "password" in response.content.decode().lower()
    assert Organization.objects.filter(pk=world.unit.organization_id).exists()
    assert type(world.owner).objects.filter(pk=world.owner.pk).exists()


def test_deleting_the_last_owner_deletes_the_organization_and_its_links_404(
    world: World,
) -> None:
    paths = [f.path for f in PublishedFeed.objects.filter(channel__unit=world.unit)]
    assert paths and all(Client().get(p).status_code == 200 for p in paths)
    owner = _client(world.owner)
    page = owner.get(reverse("account_delete"))
    assert "Gîtes du Moulin" in page.content.decode()
    response = owner.post(reverse("account_delete"), {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not type(world.owner).objects.filter(pk=world.owner.pk).exists()
    assert not Organization.objects.filter(name="Gîtes du Moulin").exists()
    assert not Unit.objects.filter(pk=world.unit.pk).exists()
    assert all(Client().get(p).status_code == 404 for p in paths)
    # The viewer keeps their account and their own organization.
    assert Membership.objects.filter(user=world.viewer).count() == 1
    assert owner.get(reverse("dashboard")).status_code == 302


def test_a_member_who_deletes_their_account_leaves_the_organization_intact(
    world: World,
) -> None:
    viewer = _viewer_client(world)
    viewer.post(reverse("account_delete"), {"password": PASSWORD})
    assert not type(world.viewer).objects.filter(pk=world.viewer.pk).exists()
    assert Unit.objects.filter(pk=world.unit.pk).exists()
    event = AuditEvent.objects.get(
        organization=world.unit.organization, action=AuditAction.ACCOUNT_DELETED
    )
    assert event.actor is None and event.actor_email == "viewer@moulin.test"
    # Their own one-person organization went with them.
    assert not Organization.objects.filter(name="Viewer's own").exists()


def test_a_second_owner_keeps_the_organization_when_the_first_leaves(world: World) -> None:
    Membership.objects.filter(user=world.viewer, organization=world.unit.organization).update(
        role=Role.OWNER
    )
    _client(world.owner).post(reverse("account_delete"), {"password": PASSWORD})
    assert Unit.objects.filter(pk=world.unit.pk).exists()
    paths = [f.path for f in PublishedFeed.objects.filter(channel__unit=world.unit)]
    assert all(Client().get(p).status_code == 200 for p in paths)


def test_the_members_page_links_to_the_data_pages(world: World) -> None:
    html = _client(world.owner).get(reverse("members")).content.decode()
    for name in ("account_data_download", "audit_log", "account_delete"):
        assert reverse(name) in html
    viewer_html = _viewer_client(world).get(reverse("members")).content.decode()
    assert reverse("audit_log") not in viewer_html and reverse("account_delete") in viewer_html


def test_an_event_about_a_users_own_account_reaches_each_of_their_organizations(
    world: World,
) -> None:
    # What the API records when a user creates or revokes one of their API tokens.
    from icalbridge.organizations.audit import record_audit_everywhere

    count = record_audit_everywhere(
        world.viewer, AuditAction.API_TOKEN_CREATED, target="laptop", ip="2001:db8::1"
    )
    assert count == 2
    home = AuditEvent.objects.get(organization=world.unit.organization)
    assert (home.action, home.target, home.ip) == ("api_token_created", "laptop", "2001:db8::1")
    assert _client(world.owner).get(reverse("audit_log")).content.decode().count("laptop") == 1
