"""Bookings entered here by a host: create, change, cancel; exports follow at once.

What a host may enter (``core/own_bookings``) is applied here, inside the transaction
that writes, for every way in that passes ``checked``: the web form, the API. History
brought in as it was (tests, the demo, the simulated world) passes without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from icalbridge import clock
from icalbridge.core import bookings as core
from icalbridge.core.bookings import Kind
from icalbridge.core.own_bookings import (
    DateProblem,
    days_of,
    farthest_day,
    own_booking_problem,
)
from icalbridge.core.spans import Span
from icalbridge.elision import elided
from icalbridge.hub.active_bookings import active_core_bookings
from icalbridge.hub.models import Booking, BookingMove, Channel, Unit
from icalbridge.sync.booking_changes import span_text
from icalbridge.sync.conflict_tracking import update_unit_conflicts
from icalbridge.sync.exporter import refresh_unit_feeds_on_commit
from icalbridge.wording.kind_names import KIND_LABELS


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


def _short(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _scope_ids(channels: Sequence[Channel] | None) -> frozenset[str] | None:
    return None if channels is None else frozenset(str(c.pk) for c in channels)


def _refuse_what_a_host_may_not_enter(
    unit: Unit,
    candidate: core.Booking,
    before: core.Booking | None,
    now: datetime,
) -> None:
    """Raise BookingRefused, on ``start``, for what ``core/own_bookings`` refuses."""
    # Two requests adding blocks over the same nights must not both find the nights free.
    Unit.objects.select_for_update().filter(pk=unit.pk).exists()
    stay = unit.stay_times
    today = now.astimezone(unit.zone).date()
    # A booking over before the candidate's first day cannot lie under it.
    since = days_of(candidate.span, stay).start - timedelta(days=1)
    others = active_core_bookings(unit, ending_from=since)
    problem = own_booking_problem(candidate, before, others, today=today, stay=stay)
    if problem is None:
        return
    if problem.dates is DateProblem.PAST:
        raise BookingRefused(
            "start",
            _(
                "These dates are over: the platforms no longer show them, so this would "
                "change nothing there. Check the year."
            ),
        )
    if problem.dates is DateProblem.TOO_FAR:
        raise BookingRefused(
            "start",
            _(
                "No platform sells that far ahead: a booking may start on %(last)s at the "
                "latest. Check the year."
            )
            % {"last": _short(farthest_day(today))},
        )
    assert problem.over is not None
    over = problem.over
    days = days_of(over.span, stay)
    raise BookingRefused(
        "start",
        _(
            "These dates lie over “%(label)s” (%(start)s → %(end)s), already in your "
            "calendar on the same channels: change that one instead."
        )
        % {
            "label": over.category or over.summary or KIND_LABELS[over.kind],
            "start": _short(days.start),
            "end": _short(days.end),
        },
    )


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
    checked: bool = False,
) -> Booking:
    """Create a booking on a unit, shown on every channel or only on ``channel_ids``.

    ``checked`` refuses, with BookingRefused, what a host may not enter.
    """
    now = now or clock.now()
    with transaction.atomic():
        channels = _scope_channels(unit, channel_ids)
        if checked:
            candidate = core.Booking(id="", span=span, kind=kind, scope=_scope_ids(channels))
            _refuse_what_a_host_may_not_enter(unit, candidate, None, now)
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
    checked: bool = False,
) -> Booking:
    """Change a local booking; a change of dates is kept in its history.

    The scope changes only with ``change_scope``: then ``channel_ids`` None means every
    channel, a list means only those. ``checked`` refuses, with BookingRefused, what a
    host may not enter; an unchanged booking is not judged again.
    """
    _refuse_imported(booking)
    now = now or clock.now()
    with transaction.atomic():
        channels = _scope_channels(booking.unit, channel_ids) if change_scope else None
        if checked:
            before = booking.as_core(
                _scope_ids(None if booking.scope_all else list(booking.scope.all()))
            )
            candidate = core.Booking(
                id=before.id,
                span=span if span is not None else before.span,
                kind=kind or before.kind,
                scope=_scope_ids(channels) if change_scope else before.scope,
            )
            _refuse_what_a_host_may_not_enter(booking.unit, candidate, before, now)
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
            elided(
                _(
                    "This booking comes from %(channel)s: change or cancel it there, "
                    "and the next import will follow."
                )
                % {"channel": booking.origin.name if booking.origin else "?"}
            ),
        )
