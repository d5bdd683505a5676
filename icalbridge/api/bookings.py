"""Bookings of a unit: list them over a range, enter local ones, move or change them, cancel them."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from icalbridge import clock
from icalbridge.api.auth import booking_for, unit_for
from icalbridge.api.booking_schemas import (
    BookingChange,
    BookingIn,
    BookingOut,
    BookingRange,
    span_of,
)
from icalbridge.api.pagination import Page, PageQuery, page_of_queryset
from icalbridge.api.problems import PROBLEMS, conflict, invalid
from icalbridge.bookings.local_bookings import (
    BookingRefused,
    cancel_booking,
    create_local_booking,
    update_local_booking,
)
from icalbridge.core.bookings import LOCAL_ORIGIN
from icalbridge.core.spans import Span
from icalbridge.hub.models import Booking, Channel, Unit
from icalbridge.sync.booking_delivery import DeliveryBoard

router = Router(tags=["bookings"])


def _when_text(value: date | datetime, unit: Unit) -> str:
    if isinstance(value, datetime):
        return value.astimezone(unit.zone).isoformat()
    return value.isoformat()


def booking_out(booking: Booking, board: DeliveryBoard | None = None) -> dict[str, Any]:
    unit = booking.unit
    board = board or DeliveryBoard(unit, clock.now())
    return {
        "id": str(booking.public_id),
        "unit": str(unit.public_id),
        "origin": str(booking.origin.public_id) if booking.origin else LOCAL_ORIGIN,
        "kind": booking.kind,
        "start": _when_text(booking.start, unit),
        "end": _when_text(booking.end, unit),
        "all_day": booking.all_day,
        "summary": booking.summary,
        "category": booking.category,
        "note": booking.note,
        "is_echo": booking.is_echo,
        "is_horizon": booking.is_horizon,
        "channels": (
            None if booking.scope_all else sorted(str(c.public_id) for c in booking.scope.all())
        ),
        "created_at": booking.created_at,
        "updated_at": booking.updated_at,
        "delivery": [
            {
                "channel": str(channel.public_id),
                "state": delivery.state.value,
                "fetched_at": delivery.fetched_at,
                "confirmed_at": delivery.confirmed_at,
            }
            for channel, delivery in board.deliveries_of(booking)
        ],
    }


def _with_relations(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    return bookings.select_related("unit", "origin").prefetch_related("scope")


def _scope_ids(unit: Unit, channel_ids: list[str] | None) -> list[int] | None:
    if channel_ids is None:
        return None
    try:
        wanted = {uuid.UUID(text) for text in channel_ids}
    except ValueError:
        raise invalid("channels", _("A channel id is malformed.")) from None
    pks = list(Channel.objects.filter(unit=unit, public_id__in=wanted).values_list("pk", flat=True))
    if len(pks) != len(wanted):
        raise invalid("channels", _("Some of the chosen channels do not belong to this unit."))
    return pks


@router.post("/units/{unit}/bookings", response={201: BookingOut, **PROBLEMS})
def create_booking(request: HttpRequest, unit: str, payload: BookingIn) -> Status[dict[str, Any]]:
    """Enter a booking on a unit: all day with dates, timed with times; exports follow.

    Refused as on the host's form (400 naming ``start``): dates already over, dates no
    platform sells (more than three years ahead), or over nights another of the host's own
    active bookings holds on a channel both are shown on.
    """
    target = unit_for(request, unit, write=True)
    span = span_of(payload.start, payload.end)
    try:
        booking = create_local_booking(
            target,
            span=span,
            kind=payload.kind,
            category=payload.category,
            summary=payload.summary,
            note=payload.note,
            channel_ids=_scope_ids(target, payload.channels),
            checked=True,
        )
    except BookingRefused as refused:
        raise invalid(refused.field, refused.message) from None
    return Status(201, booking_out(_with_relations(Booking.objects.filter(pk=booking.pk)).get()))


def _overlapping(bookings: QuerySet[Booking], unit: Unit, span: BookingRange) -> QuerySet[Booking]:
    if span.from_ is not None and span.to is not None and span.to <= span.from_:
        raise invalid("to", _("The range must end after it starts."))
    if span.from_ is not None:
        start = datetime.combine(span.from_, time(0), tzinfo=unit.zone)
        bookings = bookings.filter(
            Q(all_day=True, end_date__gt=span.from_) | Q(all_day=False, end_at__gt=start)
        )
    if span.to is not None:
        end = datetime.combine(span.to, time(0), tzinfo=unit.zone)
        bookings = bookings.filter(
            Q(all_day=True, start_date__lt=span.to) | Q(all_day=False, start_at__lt=end)
        )
    return bookings


@router.get("/units/{unit}/bookings", response={200: Page[BookingOut], **PROBLEMS})
def list_bookings(
    request: HttpRequest, unit: str, span: Query[BookingRange], page: PageQuery
) -> dict[str, Any]:
    """List the unit's active bookings that overlap [from, to), whatever their origin."""
    target = unit_for(request, unit)
    active = Booking.objects.filter(unit=target, cancelled_at__isnull=True)
    bookings = _with_relations(_overlapping(active, target, span))
    board = DeliveryBoard(target, clock.now())
    return page_of_queryset(
        bookings, page, f"bookings:{target.pk}", lambda b: booking_out(b, board)
    )


@router.delete("/bookings/{booking}", response={204: None, **PROBLEMS})
def delete_booking(request: HttpRequest, booking: str) -> Status[None]:
    """Cancel a local booking; its dates are freed on every channel at their next fetch."""
    target = booking_for(request, booking, write=True)
    try:
        cancel_booking(target)
    except BookingRefused as refused:
        raise conflict("imported-booking", _("Change it at its source."), refused.message) from None
    return Status(204, None)


def _new_span(change: BookingChange) -> Span | None:
    """Return where a change moves a booking, or None; both ends come together."""
    if change.start is None and change.end is None:
        return None
    if change.end is None:
        raise invalid("end", _("Give the end with the start: both say where the booking goes."))
    if change.start is None:
        raise invalid("start", _("Give the start with the end: both say where the booking goes."))
    return span_of(change.start, change.end)


@router.patch("/bookings/{booking}", response={200: BookingOut, **PROBLEMS})
def change_booking(request: HttpRequest, booking: str, payload: BookingChange) -> dict[str, Any]:
    """Move a local booking or change what it says: only the fields given change.

    Dates are read and checked as on creation; a change of dates or channels is refused
    as a new booking would be. Exports follow at once, and agenda feeds
    written into CalDAV calendars are pushed within seconds.
    """
    target = booking_for(request, booking, write=True)
    span = _new_span(payload)
    given = payload.model_fields_set
    if target.origin_id is None and not target.is_active:
        raise conflict(
            "cancelled-booking",
            _("This booking is cancelled."),
            _("A cancelled booking cannot be changed: enter a new one."),
        )
    changes = {
        name: getattr(payload, name)
        for name in ("kind", "summary", "category", "note")
        if getattr(payload, name) is not None
    }
    if span is not None or changes or "channels" in given:
        try:
            update_local_booking(
                target,
                span=span,
                change_scope="channels" in given,
                channel_ids=_scope_ids(target.unit, payload.channels),
                checked=True,
                **changes,
            )
        except BookingRefused as refused:
            if refused.field == "booking":
                raise conflict(
                    "imported-booking", _("Change it at its source."), refused.message
                ) from None
            raise invalid(refused.field, refused.message) from None
    return booking_out(_with_relations(Booking.objects.filter(pk=target.pk)).get())


@router.get("/bookings/{booking}", response={200: BookingOut, **PROBLEMS})
def get_booking(request: HttpRequest, booking: str) -> dict[str, Any]:
    """Return one booking, active or cancelled."""
    target = booking_for(request, booking)
    return booking_out(_with_relations(Booking.objects.filter(pk=target.pk)).get())
