"""Bookings as the week and day views show them: read once for the days shown, named, linked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from icalbridge.core.agenda_layout import DayPiece
from icalbridge.core.day_hours import day_start
from icalbridge.core.spans import Nights, Timed
from icalbridge.hub.models import Booking, Conflict, Unit
from icalbridge.sync.exporter import is_rental_platform
from icalbridge.web.templatetags.hosting import kind_label


@dataclass(frozen=True)
class AgendaEntry:
    """A booking as a week or day view names it: kind by colour and word, category as title."""

    booking_id: str
    kind: str
    title: str
    category: str
    kind_text: str
    origin: str
    url: str
    is_conflict: bool = False
    is_echo: bool = False


@dataclass
class UnitBookings:
    """One unit's active bookings over the days shown: timed and all-day, by booking id."""

    unit: Unit
    timed: list[tuple[str, Timed]] = field(default_factory=list)
    nights: list[tuple[str, Nights]] = field(default_factory=list)
    entries: dict[str, AgendaEntry] = field(default_factory=dict)
    spans: dict[str, Timed] = field(default_factory=dict)


def booking_title(booking: Booking) -> str:
    """Name a booking by the structure's own type (its category), else its summary, else its kind.

    An agenda imported from a person's calendar carries the lesson's own title: it is
    shown. A rental platform's summaries are its neutral words, in its language ("Reserved",
    "Airbnb (Not available)"): its stays are named by their kind, as the month grid names
    them, and the platform is shown as their origin.
    """
    origin = booking.origin
    if origin is not None and origin.platform != "other" and is_rental_platform(origin.platform):
        return booking.category or kind_label(booking.kind)
    return booking.category or booking.summary or kind_label(booking.kind)


def detail_url(booking: Booking, back_query: str) -> str:
    """Return the booking's page, which brings the host back (``back_query``: ``?next=…``)."""
    return f"{reverse('booking_detail', args=[booking.public_id])}{back_query}"


def add_url(unit: Unit, back: str, start: datetime | date, end: datetime | date) -> str:
    """Return the booking form of ``unit`` filled with hours (datetimes) or nights (dates)."""
    query: dict[str, str] = {}
    if isinstance(start, datetime) and isinstance(end, datetime):
        start, end = start.astimezone(unit.zone), end.astimezone(unit.zone)
        query = {
            "start": start.date().isoformat(),
            "end": end.date().isoformat(),
            "start_time": f"{start:%H:%M}",
            "end_time": f"{end:%H:%M}",
        }
    else:
        query = {"start": start.isoformat(), "end": end.isoformat()}
    query["next"] = back
    return f"{reverse('booking_create', args=[unit.public_id])}?{urlencode(query)}"


def unit_bookings(units: Sequence[Unit], first: date, last: date, back: str) -> list[UnitBookings]:
    """Read the active bookings of ``units`` that touch the days ``first`` to ``last``."""
    found = {unit.pk: UnitBookings(unit) for unit in units}
    if not units:
        return []
    since = min(day_start(first, u.zone) for u in units)
    until = max(day_start(last + timedelta(days=1), u.zone) for u in units)
    rows = (
        Booking.objects.filter(unit__in=units, cancelled_at__isnull=True)
        .filter(
            Q(all_day=True, start_date__lte=last, end_date__gt=first)
            | Q(all_day=False, start_at__lte=until, end_at__gte=since)
        )
        .select_related("origin")
    )
    in_conflict = _bookings_in_open_conflicts(units)
    back_query = "?" + urlencode({"next": back})
    for booking in rows:
        into = found[booking.unit_id]
        key = str(booking.public_id)
        span = booking.span
        if isinstance(span, Timed):
            into.timed.append((key, span))
            into.spans[key] = span
        else:
            into.nights.append((key, span))
        into.entries[key] = AgendaEntry(
            booking_id=key,
            kind=booking.kind,
            title=booking_title(booking),
            category=booking.category,
            kind_text=kind_label(booking.kind),
            origin=booking.origin.name if booking.origin else "",
            url=detail_url(booking, back_query),
            is_conflict=booking.pk in in_conflict,
            is_echo=booking.is_echo or booking.is_horizon,
        )
    return [found[unit.pk] for unit in units]


def _bookings_in_open_conflicts(units: Sequence[Unit]) -> set[int]:
    """Return the bookings in an open double booking (docs/domain.md rule 9), as recorded."""
    pairs = Conflict.objects.filter(unit__in=units, state="open").values_list("first", "second")
    return {pk for pair in pairs for pk in pair}


def clock_text(instant: datetime, unit: Unit) -> str:
    """Return an instant as the unit's wall clock reads it, 09:30."""
    return f"{instant.astimezone(unit.zone):%H:%M}"


def piece_times(piece: DayPiece, unit: Unit) -> tuple[str, str]:
    """Return the start and end a day's piece shows: "…" where it goes on from another day.

    A point in time has no end ("").
    """
    start = "…" if piece.starts_before else clock_text(piece.start, unit)
    if piece.start == piece.end:
        return start, ""
    return start, "…" if piece.ends_after else clock_text(piece.end, unit)


def span_text(span: Timed, unit: Unit) -> str:
    """Say when a timed booking runs, in the unit's zone: with its days when it spans several."""
    start, end = span.start.astimezone(unit.zone), span.end.astimezone(unit.zone)
    if start.date() == end.date() or (
        end.time() == time(0) and end.date() - start.date() == timedelta(days=1)
    ):
        return f"{start:%H:%M}–{end:%H:%M}"
    return f"{date_format(start, 'j F H:i')} – {date_format(end, 'j F H:i')}"


def entry_words(entry: AgendaEntry, when: str) -> str:
    """Say a booking in a sentence a screen reader reads out: what, which kind, when, trouble."""
    words = [entry.title]
    if entry.kind_text != entry.title:
        words.append(entry.kind_text)
    if entry.origin:
        words.append(_("from %(channel)s") % {"channel": entry.origin})
    words.append(when)
    if entry.is_conflict:
        words.append(_("double booking"))
    return ", ".join(words)
