from __future__ import annotations

from django.db import models


class StatusChange(models.Model):
    """A flip of a channel's state: history for the host and the outbox for alerts."""

    channel = models.ForeignKey(
        "hub.Channel", on_delete=models.CASCADE, related_name="status_changes"
    )
    at = models.DateTimeField()
    old_state = models.CharField(max_length=10)
    new_state = models.CharField(max_length=10)
    reason = models.CharField(max_length=40, blank=True)
    message = models.TextField(blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
