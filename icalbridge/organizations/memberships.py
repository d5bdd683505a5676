"""Membership changes that must behave the same from the web interface and the API."""

from __future__ import annotations

from django.db import transaction

from icalbridge import clock
from icalbridge.hub.models import AgendaFeed, Membership, PublishedFeed


def remove_member(membership: Membership) -> None:
    """Remove a member and revoke their personal agenda feeds in that organization.

    A former member's feeds would otherwise keep showing the organization's bookings to
    whoever holds the link.
    """
    with transaction.atomic():
        agendas = AgendaFeed.objects.filter(
            user=membership.user, organization=membership.organization, revoked_at__isnull=True
        )
        PublishedFeed.objects.filter(agenda__in=agendas).delete()
        agendas.update(revoked_at=clock.now())
        membership.delete()
