"""An organization's quotas refuse one unit, one channel or one poll too many, and say why."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from icalbridge.hub.models import Organization, Unit
from icalbridge.organizations.quotas import (
    QuotaExceeded,
    allowed_poll_interval,
    check_can_add_channel,
    check_can_add_unit,
)
from tests.api.conftest import ApiClient, create_host, fields_of, problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> ApiClient:
    return ApiClient(create_host("host@example.test"), Client())


@pytest.fixture
def organization(api: ApiClient) -> Organization:
    return Organization.objects.get(memberships__user__username="host@example.test")


def channel_payload(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Airbnb",
        "platform": "airbnb",
        "direction": "both",
        "import_url": "https://www.airbnb.com/calendar/ical/1.ics?s=abc",
        # The hub cannot reach the platform from here: the host confirms the link.
        "confirm_import_url": True,
    } | overrides


def test_a_unit_beyond_the_quota_is_refused_with_the_limit_named(
    api: ApiClient, organization: Organization
) -> None:
    organization.max_units = 1
    organization.save()
    assert api.post("/units", {"name": "Studio"}).status_code == 201

    body = problem(api.post("/units", {"name": "Chambre bleue"}), 409)

    assert body["detail"] == "Cette organisation peut avoir au plus 1 logement."
    assert Unit.objects.count() == 1


def test_a_channel_beyond_the_quota_is_refused_with_the_limit_named(
    api: ApiClient, organization: Organization
) -> None:
    organization.max_channels = 1
    organization.save()
    unit = api.post("/units", {"name": "Studio"}).json()
    assert api.post(f"/units/{unit['id']}/channels", channel_payload()).status_code == 201

    body = problem(
        api.post(
            f"/units/{unit['id']}/channels",
            channel_payload(
                name="Gîtes", import_url="https://www.airbnb.com/calendar/ical/2.ics?s=def"
            ),
        ),
        409,
    )

    assert body["detail"] == "Cette organisation peut avoir au plus 1 canal."


def test_a_poll_interval_below_the_organizations_minimum_is_refused(
    api: ApiClient, organization: Organization
) -> None:
    organization.min_poll_interval_s = 3600
    organization.save()
    unit = api.post("/units", {"name": "Studio"}).json()

    response = api.post(f"/units/{unit['id']}/channels", channel_payload(poll_interval_s=900))

    assert fields_of(response) == ["poll_interval_s"]
    assert allowed_poll_interval(organization, 3600) == 3600


def test_the_quota_checks_speak_the_hosts_language(organization: Organization) -> None:
    organization.max_units = 0
    organization.max_channels = 0
    organization.min_poll_interval_s = 600
    with translation.override("fr"):
        with pytest.raises(QuotaExceeded) as units:
            check_can_add_unit(organization)
        with pytest.raises(QuotaExceeded) as channels:
            check_can_add_channel(organization)
        with pytest.raises(QuotaExceeded) as interval:
            allowed_poll_interval(organization, 300)
    assert units.value.message == "Cette organisation peut avoir au plus 0 logement."
    assert channels.value.message == "Cette organisation peut avoir au plus 0 canal."
    assert interval.value.message == "Cette organisation interroge au plus toutes les 600 secondes."


def test_an_organization_without_quotas_may_grow(organization: Organization) -> None:
    check_can_add_unit(organization)
    check_can_add_channel(organization)
    assert allowed_poll_interval(organization, 300) == 300
