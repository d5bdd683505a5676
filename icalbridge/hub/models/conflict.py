from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConflictState(models.TextChoices):
    OPEN = "open", _("open")
    RESOLVED = "resolved", _("resolved")


class Conflict(models.Model):
    """A double booking (docs/domain.md rule 9), kept with its resolution when it ends."""

    unit = models.ForeignKey("hub.Unit", on_delete=models.CASCADE, related_name="conflicts")
    first = models.ForeignKey("hub.Booking", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("hub.Booking", on_delete=models.CASCADE, related_name="+")
    start = models.DateField()
    end = models.DateField()
    state = models.CharField(max_length=10, choices=ConflictState.choices, default="open")
    detected_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["unit", "state"])]
