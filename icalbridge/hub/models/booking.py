from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from icalbridge.core import bookings as core
from icalbridge.core.spans import Nights, Span, Timed
from icalbridge.hub.models.unit import Unit


class Booking(models.Model):
    """A span on a unit with a kind; local or imported from a channel.

    An all-day booking stores ``start_date``/``end_date`` (end = check-out day); a timed
    one stores ``start_at``/``end_at``. Cancelled bookings keep their row
    (``cancelled_at``), so history and exports' SEQUENCE stay honest.
    """

    KIND_CHOICES = [
        (core.Kind.RESERVED.value, _("reserved")),
        (core.Kind.TENTATIVE.value, _("tentative")),
        (core.Kind.UNAVAILABLE.value, _("unavailable")),
    ]

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="bookings")
    kind = models.CharField(_("kind"), max_length=12, choices=KIND_CHOICES)
    category = models.CharField(_("category"), max_length=80, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    note = models.TextField(_("note"), blank=True)

    all_day = models.BooleanField(default=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    start_at = models.DateTimeField(null=True, blank=True)
    end_at = models.DateTimeField(null=True, blank=True)

    origin = models.ForeignKey(
        "hub.Channel",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="imported_bookings",
        help_text="Null for a booking entered here.",
    )
    remote_uid = models.CharField(max_length=500, blank=True)
    is_block = models.BooleanField(default=False)
    is_echo = models.BooleanField(default=False)
    is_horizon = models.BooleanField(default=False)

    scope_all = models.BooleanField(default=True)
    scope = models.ManyToManyField("hub.Channel", blank=True, related_name="scoped_bookings")

    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start_date", "start_at", "id"]
        indexes = [
            models.Index(fields=["unit", "cancelled_at"]),
            models.Index(fields=["origin", "remote_uid"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.span_label}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None

    @property
    def span(self) -> Span:
        if self.all_day:
            assert self.start_date is not None and self.end_date is not None
            return Nights(self.start_date, self.end_date)
        assert self.start_at is not None and self.end_at is not None
        return Timed(self.start_at, self.end_at)

    def set_span(self, span: Span) -> None:
        if isinstance(span, Nights):
            self.all_day = True
            self.start_date, self.end_date = span.start, span.end
            self.start_at = self.end_at = None
        else:
            self.all_day = False
            self.start_at, self.end_at = span.start, span.end
            self.start_date = self.end_date = None

    @property
    def start(self) -> date | datetime:
        return self.start_date if self.all_day else self.start_at  # type: ignore[return-value]

    @property
    def end(self) -> date | datetime:
        return self.end_date if self.all_day else self.end_at  # type: ignore[return-value]

    @property
    def span_label(self) -> str:
        return f"{self.start} → {self.end}"

    def as_core(self, scope_ids: frozenset[str] | None = None) -> core.Booking:
        """Return the domain value; ``scope_ids`` must be given for a scoped booking."""
        return core_booking(tuple(getattr(self, name) for name in CORE_FIELDS), scope_ids)


# The columns a domain booking is made of, in the order ``core_booking`` reads them.
CORE_FIELDS = (
    "public_id",
    "all_day",
    "start_date",
    "end_date",
    "start_at",
    "end_at",
    "kind",
    "origin_id",
    "category",
    "summary",
    "scope_all",
    "is_block",
    "is_echo",
    "is_horizon",
    "sequence",
    "updated_at",
    "remote_uid",
)


def core_booking(values: tuple[Any, ...], scope_ids: frozenset[str] | None) -> core.Booking:
    """Return the domain value of a booking's ``CORE_FIELDS`` (a row read without a model).

    Reading the unit's bookings as rows rather than model instances halved the cost of a
    changed import's two reads of them.
    """
    (public_id, all_day, start_date, end_date, start_at, end_at, kind, origin_id) = values[:8]
    (category, summary, scope_all, is_block, is_echo, is_horizon, sequence) = values[8:15]
    updated_at, remote_uid = values[15:]
    span: Span = Nights(start_date, end_date) if all_day else Timed(start_at, end_at)
    return core.Booking(
        id=str(public_id),
        span=span,
        kind=core.Kind(kind),
        origin=str(origin_id) if origin_id else core.LOCAL_ORIGIN,
        category=category,
        summary=summary,
        scope=None if scope_all else (scope_ids or frozenset()),
        is_block=is_block,
        is_echo=is_echo,
        is_horizon=is_horizon,
        sequence=sequence,
        updated_at=updated_at,
        remote_uid=remote_uid,
    )


class BookingMove(models.Model):
    """A change of dates, kept as history (docs/domain.md rule 13)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="moves")
    at = models.DateTimeField(auto_now_add=True)
    old_start = models.CharField(max_length=40)
    old_end = models.CharField(max_length=40)
    new_start = models.CharField(max_length=40)
    new_end = models.CharField(max_length=40)
    source = models.CharField(max_length=40, default="import")

    class Meta:
        ordering = ["at", "id"]
