"""An organization's quotas (units, channels, shortest poll interval), enforced here only.

Call the checks inside the transaction that creates the unit or channel, with the
organization's row locked (``select_for_update``): two requests at once could otherwise
both see room for one more.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import ngettext

from icalbridge.hub.models import Channel, Organization


class QuotaExceeded(Exception):
    """The organization's quota refuses the change; ``message`` says why, translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_can_add_unit(organization: Organization) -> None:
    """Raise QuotaExceeded when the organization has all the units it may have."""
    limit = organization.max_units
    if limit is not None and organization.units.count() >= limit:
        raise QuotaExceeded(
            ngettext(
                "This organization may have at most %(count)d unit.",
                "This organization may have at most %(count)d units.",
                limit,
            )
            % {"count": limit}
        )


def check_can_add_channel(organization: Organization) -> None:
    """Raise QuotaExceeded when the organization has all the channels it may have."""
    limit = organization.max_channels
    if limit is not None and Channel.objects.filter(unit__organization=organization).count() >= (
        limit
    ):
        raise QuotaExceeded(
            ngettext(
                "This organization may have at most %(count)d channel.",
                "This organization may have at most %(count)d channels.",
                limit,
            )
            % {"count": limit}
        )


def allowed_poll_interval(organization: Organization, requested: int) -> int:
    """Return the requested poll interval, or raise QuotaExceeded when it is too short."""
    minimum = organization.min_poll_interval_s
    if minimum is not None and requested < minimum:
        raise QuotaExceeded(
            ngettext(
                "This organization polls at most every %(s)d second.",
                "This organization polls at most every %(s)d seconds.",
                minimum,
            )
            % {"s": minimum}
        )
    return requested


def default_poll_interval(organization: Organization) -> int:
    """Return how often a new channel's feed is imported: the hub's interval, or the floor."""
    return max(settings.ICALBRIDGE_POLL_INTERVAL_S, organization.min_poll_interval_s or 0)
