"""Bookings entered here by a host: create, change, cancel; exports follow at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from icalbridge import clock
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Span
from icalbridge.hub.models import Booking, BookingMove, Channel, Unit
from icalbridge.sync.booking_changes import span_text
from icalbridge.sync.conflict_tracking import update_unit_conflicts
from icalbridge.sync.exporter import refresh_unit_feeds_on_commit


class BookingRefused(ValueError):
    """A booking change that cannot be made, with the field at fault and a plain message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _scope_channels(unit: Unit, channel_ids: Sequence[int] | None) -> list[Channel] | None:
    if channel_ids is None:
        return None
    channels = list(Channel.objects.filter(unit=unit, pk__in=list(channel_ids)))
    if len(channels) != len(set(channel_ids)):
        raise BookingRefused(
            "channels", _("Some of the chosen channels do not belong to this unit.")
        )
    return channels


def create_local_booking(
    unit: Unit,
    *,
    span: Span,
    kind: Kind,
    category: str = "",
    summary: str = "",
    note: str = "",
    channel_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> Booking:
    """Create a booking on a unit, shown on every channel or only on ``channel_ids``."""
    now = now or clock.now()
    with transaction.atomic():
        channels = _scope_channels(unit, channel_ids)
        booking = Booking(unit=unit, kind=kind.value, category=category, summary=summary, note=note)
        booking.set_span(span)
        booking.scope_all = channels is None
        booking.save()
        if channels is not None:
            booking.scope.set(channels)
        update_unit_conflicts(unit, now)
        refresh_unit_feeds_on_commit(unit)
    return booking


def update_local_booking(
    booking: Booking,
    *,
    span: Span | None = None,
    kind: Kind | None = None,
    category: str | None = None,
    summary: str | None = None,
    note: str | None = None,
    change_scope: bool = False,
    channel_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> Booking:
    """Change a local booking; a change of dates is kept in its history.

    The scope changes only with ``change_scope``: then ``channel_ids`` None means every
    channel, a list means only those.
    """
    _refuse_imported(booking)
    now = now or clock.now()
    with transaction.atomic():
        if span is not None and span != booking.span:
            old, new = span_text(booking.span), span_text(span)
            BookingMove.objects.create(
                booking=booking,
                old_start=old[0],
                old_end=old[1],
                new_start=new[0],
                new_end=new[1],
                source="host",
            )
            booking.set_span(span)
        if kind is not None:
            booking.kind = kind.value
        if category is not None:
            booking.category = category
        if summary is not None:
            booking.summary = summary
        if note is not None:
            booking.note = note
        if change_scope:
            channels = _scope_channels(booking.unit, channel_ids)
            booking.scope_all = channels is None
            booking.scope.set(channels or [])
        booking.sequence += 1
        booking.save()
        update_unit_conflicts(booking.unit, now)
        refresh_unit_feeds_on_commit(booking.unit)
    return booking


def cancel_booking(booking: Booking, now: datetime | None = None) -> None:
    """Cancel a local booking; the dates are freed on every channel at their next fetch."""
    _refuse_imported(booking)
    if not booking.is_active:
        return
    now = now or clock.now()
    with transaction.atomic():
        booking.cancelled_at = now
        booking.sequence += 1
        booking.save(update_fields=["cancelled_at", "sequence", "updated_at"])
        update_unit_conflicts(booking.unit, now)
        refresh_unit_feeds_on_commit(booking.unit)


def _refuse_imported(booking: Booking) -> None:
    if booking.origin_id is not None:
        raise BookingRefused(
            "booking",
            _(
                "This booking comes from %(channel)s: change or cancel it there, "
                "and the next import will follow."
            )
            % {"channel": booking.origin.name if booking.origin else "?"},
        )
