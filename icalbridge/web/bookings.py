"""Local bookings and blocks: add, change, move, cancel (through the sync services)."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icalbridge.bookings.local_bookings import (
    BookingRefused,
    cancel_booking,
    create_local_booking,
    update_local_booking,
)
from icalbridge.core.bookings import Kind
from icalbridge.hub.models import Booking, Unit
from icalbridge.web.forms import BookingForm
from icalbridge.web.permissions import booking_for, require_role, unit_for


def _date_asked(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


def _time_asked(raw: str | None) -> time | None:
    try:
        return time.fromisoformat(raw or "")
    except ValueError:
        return None


def _initial_for_new(request: HttpRequest) -> dict[str, Any]:
    """Fill the form from the grid's choice: nights, or hours when a week or day view asks."""
    start = _date_asked(request.GET.get("start"))
    end = _date_asked(request.GET.get("end"))
    if start is None:
        return {}
    start_time = _time_asked(request.GET.get("start_time"))
    end_time = _time_asked(request.GET.get("end_time"))
    if start_time is not None and end_time is not None:
        # An hour chosen on a week or day view is a lesson or a session: a reservation.
        return {
            "kind": Kind.RESERVED.value,
            "start": start,
            "end": end if end is not None and end >= start else start,
            "start_time": start_time,
            "end_time": end_time,
        }
    if end is None or end <= start:
        end = start + timedelta(days=1)
    return {"start": start, "end": end}


def page_to_return_to(request: HttpRequest) -> str | None:
    """Return the page of this site the host came from (``next``), to go back to after a change."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _month_of(booking_start: date) -> str:
    return booking_start.strftime("%Y-%m")


def _back_to_grid(request: HttpRequest, unit: Unit, day: date) -> HttpResponse:
    """Go back to the week or day view the change came from, else to the month grid."""
    back = page_to_return_to(request)
    if back is not None:
        return redirect(back)
    response = redirect("unit_calendar", unit_id=unit.public_id)
    response["Location"] += f"?month={_month_of(day)}"
    return response


def _save_or_refuse(form: BookingForm, save: Any) -> Booking | None:
    try:
        return save()
    except BookingRefused as refused:
        field = refused.field if refused.field in form.fields else None
        form.add_error(field, refused.message)
        return None


@login_required
def booking_create(request: HttpRequest, unit_id: str) -> HttpResponse:
    """Add a booking or a block on a unit, on every channel or only on chosen ones."""
    unit, membership = unit_for(request, unit_id, write=True)
    form = BookingForm(request.POST or None, unit=unit, initial=_initial_for_new(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        booking = _save_or_refuse(
            form,
            lambda: create_local_booking(
                unit,
                span=form.span(),
                kind=Kind(data["kind"]),
                category=data["category"],
                note=data["note"],
                channel_ids=form.channel_ids(),
                checked=True,
            ),
        )
        if booking is not None:
            messages.success(request, _("Added. The channels will see it at their next fetch."))
            return _back_to_grid(request, unit, data["start"])
    template = (
        "web/partials/booking_form.html"
        if request.headers.get("HX-Request")
        else "web/booking_form.html"
    )
    context = {
        "form": form,
        "unit": unit,
        "membership": membership,
        "next": page_to_return_to(request),
    }
    return render(request, template, context)


def _initial_of(booking: Booking) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "kind": booking.kind,
        "category": booking.category,
        "note": booking.note,
    }
    if not booking.scope_all:
        # Kept to its channels even when they are all ticked: not widened to later ones.
        initial.update(apply_on="chosen", channels=[str(c.pk) for c in booking.scope.all()])
    if booking.all_day:
        initial.update(start=booking.start_date, end=booking.end_date)
    else:
        zone = booking.unit.zone
        start, end = booking.start_at.astimezone(zone), booking.end_at.astimezone(zone)  # type: ignore[union-attr]
        initial.update(
            start=start.date(), end=end.date(), start_time=start.time(), end_time=end.time()
        )
    return initial


@login_required
def booking_detail(request: HttpRequest, booking_id: str) -> HttpResponse:
    """Show a booking; a local one can be changed or moved here."""
    booking, membership = booking_for(request, booking_id, write=request.method == "POST")
    editable = booking.origin_id is None and booking.is_active and membership.can_edit
    form = None
    if editable:
        form = BookingForm(request.POST or None, unit=booking.unit, initial=_initial_of(booking))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            saved = _save_or_refuse(
                form,
                lambda: update_local_booking(
                    booking,
                    span=form.span(),
                    kind=Kind(data["kind"]),
                    category=data["category"],
                    note=data["note"],
                    change_scope=True,
                    channel_ids=form.channel_ids(),
                    checked=True,
                ),
            )
            if saved is not None:
                messages.success(request, _("Saved. The channels will follow at their next fetch."))
                return _back_to_grid(request, booking.unit, data["start"])
    elif request.method == "POST":
        require_role(membership, write=True)
        messages.error(request, _("This booking cannot be changed here."))
    return render(
        request,
        "web/booking_detail.html",
        {
            "booking": booking,
            "unit": booking.unit,
            "form": form,
            "membership": membership,
            "moves": booking.moves.all(),
            "scope": booking.scope.all(),
            "next": page_to_return_to(request),
        },
    )


@login_required
@require_POST
def booking_cancel(request: HttpRequest, booking_id: str) -> HttpResponse:
    """Cancel a local booking: its dates are freed on every channel."""
    booking, _membership = booking_for(request, booking_id, write=True)
    try:
        cancel_booking(booking)
    except BookingRefused as refused:
        messages.error(request, refused.message)
        return redirect("booking_detail", booking_id=booking.public_id)
    messages.success(request, _("Cancelled: these dates are free again on every channel."))
    return _back_to_grid(request, booking.unit, booking.start_date or booking.start_at.date())  # type: ignore[union-attr]
