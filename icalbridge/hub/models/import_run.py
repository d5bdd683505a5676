from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportOutcome(models.TextChoices):
    APPLIED = "applied", _("applied")
    UNCHANGED = "unchanged", _("unchanged")
    HELD = "held", _("held for confirmation")
    FAILED = "failed", _("failed")


class ImportRun(models.Model):
    """One import of a channel's feed: what was fetched and what it changed."""

    channel = models.ForeignKey("hub.Channel", on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(max_length=20, default="schedule")
    http_status = models.PositiveIntegerField(null=True, blank=True)
    bytes_read = models.PositiveIntegerField(default=0)
    etag = models.CharField(max_length=400, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=12, choices=ImportOutcome.choices)
    events_read = models.PositiveIntegerField(null=True, blank=True)
    added = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=40, blank=True)
    # The values of the error's sentence; None on rows stored before they were kept.
    error_params = models.JSONField(null=True, blank=True)
    message = models.TextField(blank=True)
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["channel", "-started_at"])]
