from __future__ import annotations

import uuid
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from icalbridge import clock
from icalbridge.core.bookings import Direction, ImportMode, ImportOptions, Kind
from icalbridge.core.exports import ExportFilter
from icalbridge.hub.models.unit import Unit


class ChannelState(models.TextChoices):
    OK = "ok", _("OK")
    WARNING = "warning", _("Needs a look")
    ERROR = "error", _("Failing")
    NEVER = "never", _("Not yet synchronised")


class Channel(models.Model):
    """One link between a unit and an outside calendar.

    Stores facts (timestamps, counters, validators); the state a host reads is derived
    from them by ``icalbridge.sync.status`` and kept here only to notice when it flips.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="channels")
    name = models.CharField(_("name"), max_length=200)
    platform = models.CharField(_("platform"), max_length=40, default="other")
    direction = models.CharField(
        _("direction"),
        max_length=10,
        choices=[(d.value, d.value) for d in Direction],
        default=Direction.BOTH,
    )
    import_url = models.CharField(_("import link"), max_length=2000, blank=True)
    # The hub's clock, not the machine's: "never fetched after the platform's window" is
    # measured from here, and under a virtual clock the machine's time means nothing.
    created_at = models.DateTimeField(default=clock.now, editable=False)
    is_active = models.BooleanField(default=True)

    # Import options (docs/domain.md rule 11); defaults come from the platform preset.
    dtend_is_checkout = models.BooleanField(default=True)
    import_mode = models.CharField(
        max_length=20,
        choices=[(m.value, m.value) for m in ImportMode],
        default=ImportMode.EVERYTHING,
    )
    ignore_phrases = models.JSONField(default=list, blank=True)
    floating_tz = models.CharField(max_length=64, blank=True)

    # Export filter and wording.
    export_kinds = models.JSONField(default=list, blank=True)
    export_categories = models.JSONField(default=list, blank=True)

    # Schedule and the claim that keeps two workers off one channel.
    poll_interval_s = models.PositiveIntegerField(default=15 * 60)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=80, blank=True)

    # Status facts.
    state = models.CharField(
        max_length=10, choices=ChannelState.choices, default=ChannelState.NEVER
    )
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_change_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error_code = models.CharField(max_length=40, blank=True)
    # The values of the error's sentence; None on rows stored before they were kept.
    last_error_params = models.JSONField(null=True, blank=True)
    last_error_message = models.TextField(blank=True)
    events_read = models.PositiveIntegerField(null=True, blank=True)
    retry_after_until = models.DateTimeField(null=True, blank=True)

    # What the last fetch told us, for conditional GET and unchanged-body skipping.
    etag = models.CharField(max_length=400, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    body_fingerprint = models.CharField(max_length=64, blank=True)

    # What the platform last fetched from us (docs/domain.md: a channel's status, rule 8).
    last_export_fetch_at = models.DateTimeField(null=True, blank=True)
    last_export_fetch_by = models.CharField(max_length=200, blank=True)
    export_fetch_count = models.PositiveIntegerField(default=0)
    served_history = models.JSONField(default=list, blank=True)
    # The export side's state and reason when last derived (``sync.export_side``), kept to
    # notice when they change (alerts) and to count them cheaply (dashboard, /metrics).
    export_state = models.CharField(max_length=10, blank=True)
    export_reason = models.CharField(max_length=40, blank=True)
    export_checked_at = models.DateTimeField(null=True, blank=True)
    # When the worker derives the export side again: the instant it may change with time
    # alone, or at once when a new fact arrives (a fetch, a version served, the platform's
    # feed changed). Empty: never derived yet.
    export_check_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The measured delays of the last 30 days at that check (``core.export_status.DelayFigures``).
    export_figures = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["unit_id", "name", "id"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return f"{self.unit} · {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A channel that imports and has no schedule would never be imported by a worker.
        if self.imports and self.is_active and self.next_poll_at is None:
            self.next_poll_at = clock.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "next_poll_at"}
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        # Collecting what cascades and deleting it must see the same rows: an import
        # adding a booking or a run between the two failed the deletion on a foreign key.
        # Imports write under this same row lock (sync.importer.locked_channel).
        with transaction.atomic():
            Channel.objects.select_for_update().filter(pk=self.pk).exists()
            return super().delete(*args, **kwargs)

    @property
    def key(self) -> str:
        """The channel's id as the core sees it in booking origins and scopes."""
        return str(self.pk)

    @property
    def imports(self) -> bool:
        return Direction(self.direction).imports and bool(self.import_url)

    @property
    def exports(self) -> bool:
        return Direction(self.direction).exports

    @property
    def import_options(self) -> ImportOptions:
        return ImportOptions(
            dtend_is_checkout=self.dtend_is_checkout,
            mode=ImportMode(self.import_mode),
            ignore_phrases=tuple(self.ignore_phrases or ()),
            floating_tz=self.floating_tz or None,
        )

    @property
    def export_filter(self) -> ExportFilter:
        return ExportFilter(
            kinds=frozenset(Kind(k) for k in self.export_kinds) if self.export_kinds else None,
            categories=frozenset(self.export_categories) if self.export_categories else None,
        )
