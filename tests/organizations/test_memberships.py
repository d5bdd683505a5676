"""Membership and agenda feeds: who keeps a link, which feeds a change re-renders."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from icalbridge.hub.models import AgendaFeed, Membership, PublishedFeed, Role, Unit
from icalbridge.organizations.memberships import remove_member
from icalbridge.sync.exporter import agendas_covering, refresh_agenda_feed
from tests.support.hub import new_unit

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_removed_member_s_agenda_link_stops_working_at_once() -> None:
    unit = new_unit()
    teacher = get_user_model().objects.create_user("teacher@example.test", "teacher@example.test")
    membership = Membership.objects.create(
        user=teacher, organization=unit.organization, role=Role.VIEWER
    )
    agenda = AgendaFeed.objects.create(user=teacher, organization=unit.organization, name="Mine")
    refresh_agenda_feed(agenda)
    path = PublishedFeed.objects.get(agenda=agenda).path
    assert Client().get(path).status_code == 200

    remove_member(membership)

    assert Client().get(path).status_code == 404
    agenda.refresh_from_db()
    assert agenda.revoked_at is not None
    assert not Membership.objects.filter(user=teacher).exists()


def test_a_booking_change_re_renders_only_the_agenda_feeds_that_show_its_unit() -> None:
    unit = new_unit()
    other = Unit.objects.create(organization=unit.organization, name="Studio")
    owner = unit.organization.memberships.get().user
    everything = AgendaFeed.objects.create(user=owner, organization=unit.organization, name="All")
    this_one = AgendaFeed.objects.create(user=owner, organization=unit.organization, name="One")
    this_one.units.set([unit])
    elsewhere = AgendaFeed.objects.create(user=owner, organization=unit.organization, name="Two")
    elsewhere.units.set([other])

    assert set(agendas_covering(unit)) == {everything, this_one}
