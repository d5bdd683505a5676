from __future__ import annotations

from django.db import models


class CaldavPush(models.Model):
    """An agenda feed also written into a CalDAV calendar its owner has: the push's facts.

    Its state is derived when read (``sync/caldav_status``); the credentials are stored
    only encrypted (``sync/caldav_secrets``).
    """

    # None once stopped: the push then only removes what it wrote, and the agenda feed may
    # be pushed anew meanwhile.
    agenda = models.OneToOneField(
        "hub.AgendaFeed",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="caldav_push",
    )
    url = models.CharField(max_length=2000)
    # The calendar collection the events go to: the address given, or the calendar found
    # or made under it when it names a server or an account.
    calendar_url = models.CharField(max_length=2000, blank=True)
    credentials = models.TextField()
    created_at = models.DateTimeField()
    last_push_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    failures_in_row = models.PositiveIntegerField(default=0)
    failure_code = models.CharField(max_length=30, blank=True)
    failure_detail = models.CharField(max_length=300, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    # A change waits to be pushed since then; a pass that started before it goes again.
    requested_at = models.DateTimeField(null=True, blank=True)
    # The next full reconciliation (periodic, sooner after a failure).
    reconcile_due_at = models.DateTimeField(db_index=True)
    sync_token = models.TextField(blank=True)
    # A lease, as for channels: one pass at a time per push, whatever the workers.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=80, blank=True)
    # Stopped (by its owner, or the feed or the membership revoked): the events the hub
    # wrote are being removed, then the row and its credentials go.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class CaldavEvent(models.Model):
    """An event the hub wrote into a pushed calendar: the only events it ever touches there."""

    push = models.ForeignKey(CaldavPush, on_delete=models.CASCADE, related_name="events")
    uid = models.CharField(max_length=300)
    href = models.CharField(max_length=2000)
    etag = models.CharField(max_length=300, null=True, blank=True)
    fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["push_id", "uid"]
        constraints = [
            models.UniqueConstraint(fields=["push", "uid"], name="caldav_event_one_per_uid")
        ]
