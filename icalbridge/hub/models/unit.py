from __future__ import annotations

import uuid
from datetime import time
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _

from icalbridge.core.spans import StayTimes
from icalbridge.hub.models.organization import Organization


class Unit(models.Model):
    """What is booked: a gîte, a room, a studio."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    check_in = models.TimeField(_("check-in time"), default=time(16, 0))
    check_out = models.TimeField(_("check-out time"), default=time(10, 0))
    # A room or a person booked through the day: the unit opens on its week, not its month.
    booked_by_the_hour = models.BooleanField(_("booked by the hour"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def stay_times(self) -> StayTimes:
        return StayTimes(self.zone, self.check_in, self.check_out)
