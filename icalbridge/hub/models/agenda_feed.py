from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgendaFeed(models.Model):
    """A personal, read-only feed for one user over the units they may see."""

    # The id the API names it by (docs/architecture.md house rule 7: no primary key in public).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agenda_feeds"
    )
    organization = models.ForeignKey(
        "hub.Organization", on_delete=models.CASCADE, related_name="agenda_feeds"
    )
    name = models.CharField(_("name"), max_length=200)
    units = models.ManyToManyField("hub.Unit", blank=True, related_name="agenda_feeds")
    kinds = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
