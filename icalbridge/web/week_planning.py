"""The week of every unit: one row per day, one column per unit, each cell its bookings in order.

Units are columns and days rows so that a phone shows a few rooms side by side and scrolls
down through the week, as a paper planning does; a unit's hours are read in its own zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from icalbridge.core.agenda_layout import first_free_hour, nights_on_day, pieces_on_day
from icalbridge.core.day_hours import hours_of_day
from icalbridge.web.agenda_entries import (
    AgendaEntry,
    UnitBookings,
    add_url,
    entry_words,
    piece_times,
    span_text,
)

# Where "add" on a day of the planning starts looking for a free hour.
FIRST_FREE_FROM = time(9)
FIRST_FREE_UNTIL = time(21)


@dataclass(frozen=True)
class PlanItem:
    entry: AgendaEntry
    time_text: str
    words: str


@dataclass
class PlanCell:
    where: str
    words: str
    items: tuple[PlanItem, ...]
    add: str
    day_url: str
    is_today: bool
    is_active: bool = False

    @property
    def covered(self) -> tuple[str, ...]:
        return tuple(item.entry.booking_id for item in self.items)


@dataclass(frozen=True)
class PlanRow:
    heading: str
    short_heading: str
    is_today: bool
    cells: tuple[PlanCell, ...]


def build_planning(
    units: Sequence[UnitBookings],
    days: Sequence[date],
    back: str,
    *,
    today: date,
    can_edit: bool,
    focus: tuple[int, int] | None,
) -> tuple[PlanRow, ...]:
    """Return one row per day of ``days``, one cell per unit, each naming what it holds."""
    rows = []
    for day in days:
        heading = date_format(day, "l j F")
        cells = tuple(
            _cell(day, heading, bookings, back, day == today, can_edit) for bookings in units
        )
        rows.append(PlanRow(heading, date_format(day, "D j"), day == today, cells))
    _mark_active(rows, days, today, focus)
    return tuple(rows)


def _cell(
    day: date,
    heading: str,
    bookings: UnitBookings,
    back: str,
    is_today: bool,
    can_edit: bool,
) -> PlanCell:
    unit = bookings.unit
    all_day = [
        PlanItem(e, _("all day"), entry_words(e, _("all day")))
        for e in (bookings.entries[i] for i in nights_on_day(bookings.nights, day))
    ]
    pieces = pieces_on_day(bookings.timed, day, unit.zone)
    spans = bookings.spans
    timed = []
    for piece in pieces:
        entry = bookings.entries[piece.id]
        start, end = piece_times(piece, unit)
        words = entry_words(entry, span_text(spans[piece.id], unit))
        timed.append(PlanItem(entry, f"{start}–{end}" if end else start, words))
    items = tuple(all_day + timed)
    said = "; ".join(item.words for item in items) or _("free")
    where = _("%(unit)s, %(day)s") % {"unit": unit.name, "day": heading}
    words = _("%(where)s: %(bookings)s") % {"where": where, "bookings": said}
    add = ""
    if can_edit:
        free = first_free_hour(
            pieces, hours_of_day(day, unit.zone), FIRST_FREE_FROM, FIRST_FREE_UNTIL
        )
        add = (
            add_url(unit, back, free.start, free.end)
            if free is not None
            else add_url(unit, back, day, day + timedelta(days=1))
        )
    day_url = f"{reverse('unit_day', args=[unit.public_id])}?{urlencode({'date': day.isoformat()})}"
    return PlanCell(where, words, items, add, day_url, is_today)


def _mark_active(
    rows: list[PlanRow], days: Sequence[date], today: date, focus: tuple[int, int] | None
) -> None:
    """Choose the one cell the Tab key lands on: the one asked for, else today's first unit."""
    if not rows or not rows[0].cells:
        return
    if focus is not None and 0 <= focus[0] < len(rows) and 0 <= focus[1] < len(rows[0].cells):
        row, column = focus
    else:
        row, column = next((i for i, d in enumerate(days) if d == today), 0), 0
    rows[row].cells[column].is_active = True
