"""An organization's quotas (units, channels, shortest poll interval), enforced here only.

Call the checks inside the transaction that creates the unit or channel, with the
organization's row locked (``select_for_update``): two requests at once could otherwise
both see room for one more.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

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
            _("This organization may have at most %(count)d units.") % {"count": limit}
        )


def check_can_add_channel(organization: Organization) -> None:
    """Raise QuotaExceeded when the organization has all the channels it may have."""
    limit = organization.max_channels
    if limit is not None and Channel.objects.filter(unit__organization=organization).count() >= (
        limit
    ):
        raise QuotaExceeded(
            _("This organization may have at most %(count)d channels.") % {"count": limit}
        )


def allowed_poll_interval(organization: Organization, requested: int) -> int:
    """Return the requested poll interval, or raise QuotaExceeded when it is too short."""
    minimum = organization.min_poll_interval_s
    if minimum is not None and requested < minimum:
        raise QuotaExceeded(
            _("This organization polls at most every %(s)d seconds.") % {"s": minimum}
        )
    return requested
