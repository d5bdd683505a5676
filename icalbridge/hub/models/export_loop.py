from __future__ import annotations

from django.db import models


class ExportFetch(models.Model):
    """One fetch of a channel's export by its platform: when, which version, by whom.

    Kept 30 days: enough to learn how often the platform reads (``core.export_status``)
    and how long it takes to read and apply a change (``core.deliveries``).
    """

    channel = models.ForeignKey(
        "hub.Channel", on_delete=models.CASCADE, related_name="export_fetches"
    )
    at = models.DateTimeField()
    etag = models.CharField(max_length=80)
    by = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["channel", "at"])]


class ExportVersion(models.Model):
    """A version of a channel's export: its runs of nights and when it became current."""

    channel = models.ForeignKey(
        "hub.Channel", on_delete=models.CASCADE, related_name="export_versions"
    )
    etag = models.CharField(max_length=80)
    nights = models.JSONField(default=list, blank=True)
    entered_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["channel", "entered_at"])]


class PlatformView(models.Model):
    """The runs of nights a channel's own feed showed taken (blocked or booked), from ``seen_at`` on.

    Written after an import only when they changed: a view holds until the next one.
    """

    channel = models.ForeignKey(
        "hub.Channel", on_delete=models.CASCADE, related_name="platform_views"
    )
    seen_at = models.DateTimeField()
    blocked = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["channel", "seen_at"])]
