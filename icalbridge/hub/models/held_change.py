from __future__ import annotations

from django.db import models


class HeldChange(models.Model):
    """A doubtful import, kept until the next fetch or the host confirms it.

    docs/domain.md rule 7.
    """

    channel = models.OneToOneField("hub.Channel", on_delete=models.CASCADE, related_name="held")
    reason = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=64)
    body = models.BinaryField()
    would_cancel = models.JSONField(default=list, blank=True)
    would_add = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmations_seen = models.PositiveIntegerField(default=0)
