"""The operator's administration: channels filtered by state, organizations with quotas."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from icalbridge.hub.models import Booking, Channel, ChannelState, Unit
from icalbridge.organizations.owners import new_user_with_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.test", "pw-long-42")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def unit() -> Unit:
    _, organization = new_user_with_organization("marie@example.test", "a-long-password-1", "Lac")
    organization.max_units = 4
    organization.save()
    return Unit.objects.create(organization=organization, name="Gîte des Lilas")


def test_the_channel_list_filters_failing_channels(admin_client: Client, unit: Unit) -> None:
    Channel.objects.create(unit=unit, name="Airbnb-broken", state=ChannelState.ERROR)
    Channel.objects.create(unit=unit, name="Booking-fine", state=ChannelState.OK)

    page = admin_client.get("/admin/hub/channel/", {"state__exact": "error"}).content.decode()

    assert "Airbnb-broken" in page and "Booking-fine" not in page


def test_an_organization_page_shows_its_quotas_and_members(
    admin_client: Client, unit: Unit
) -> None:
    page = admin_client.get(f"/admin/hub/organization/{unit.organization_id}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="max_units" value="4"' in html and "min_poll_interval_s" in html
    assert "memberships-0-role" in html


def test_bookings_are_read_only_in_the_administration(admin_client: Client, unit: Unit) -> None:
    booking = Booking.objects.create(unit=unit, kind="reserved", summary="Famille Martin")

    page = admin_client.get(f"/admin/hub/booking/{booking.pk}/change/").content.decode()

    assert "Famille Martin" in page and 'name="summary"' not in page
