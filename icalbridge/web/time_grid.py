"""The hour grid of the week and day views: one column per day or per unit, one row per hour.

The placing is ``core.agenda_layout``'s; this module only names what the template draws:
each cell's words for a screen reader, the bookings that touch it, and what Enter opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.utils.translation import gettext as _

from icalbridge.core.agenda_layout import (
    Placed,
    ids_in_slot,
    nights_on_day,
    pieces_on_day,
    place_column,
    row_window,
)
from icalbridge.core.day_hours import HourKey, HourSlot, hours_of_day, rows_of
from icalbridge.web.agenda_entries import (
    AgendaEntry,
    UnitBookings,
    add_url,
    entry_words,
    piece_times,
    span_text,
)

# The hours a view shows unless a booking lies outside them: a school's or a studio's day.
FIRST_HOUR = time(8)
LAST_HOUR = time(20)


@dataclass(frozen=True)
class Column:
    """One day of one unit: a day of the unit's week, or a unit on the day shown."""

    bookings: UnitBookings
    day: date
    heading: str
    short_heading: str
    is_today: bool


@dataclass(frozen=True)
class Block:
    """A booking's piece drawn in the cell of the hour it starts in, from ``top`` (a part of
    that hour) for ``length`` rows, in lane ``lane`` of ``lanes``."""

    entry: AgendaEntry
    start_text: str
    end_text: str
    words: str
    top: float
    length: float
    lane: int
    lanes: int
    starts_before: bool
    ends_after: bool


@dataclass
class Cell:
    """One hour of one column: what it holds, its words, and what Enter does there."""

    where: str
    words: str
    exists: bool = True
    blocks: tuple[Block, ...] = ()
    covered: tuple[str, ...] = ()
    add: str = ""
    is_today: bool = False
    is_active: bool = False


@dataclass(frozen=True)
class Row:
    label: str
    is_repeat: bool
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class AllDayCell:
    where: str
    words: str
    entries: tuple[AgendaEntry, ...]
    add: str


@dataclass(frozen=True)
class TimeGrid:
    columns: tuple[Column, ...]
    all_day: tuple[AllDayCell, ...]
    rows: tuple[Row, ...]
    shows_whole_day: bool


def hour_label(key: HourKey) -> str:
    """Name an hour row: 02:00, and the hour clocks repeat as a second 02:00."""
    text = f"{key.label:%H:%M}"
    return _("%(hour)s again") % {"hour": text} if key.occurrence else text


def build_time_grid(
    columns: Sequence[Column],
    back: str,
    *,
    can_edit: bool,
    whole_day: bool,
    focus: tuple[int, time] | None,
) -> TimeGrid:
    """Lay each column's timed bookings on shared hour rows and name every cell."""
    slots = [hours_of_day(c.day, c.bookings.unit.zone) for c in columns]
    keys = rows_of(slots)
    placed = [
        place_column(pieces_on_day(c.bookings.timed, c.day, c.bookings.unit.zone), s, keys)
        for c, s in zip(columns, slots, strict=True)
    ]
    first, stop = (
        (0, len(keys))
        if whole_day
        else row_window(keys, [p for column in placed for p in column], FIRST_HOUR, LAST_HOUR)
    )
    cells: list[list[Cell]] = [[] for _ in keys[first:stop]]
    for column, day_slots, day_placed in zip(columns, slots, placed, strict=True):
        by_key = {slot.key: slot for slot in day_slots}
        for row, key in enumerate(keys[first:stop]):
            cells[row].append(
                _cell(column, row, key, by_key.get(key), day_placed, first, back, can_edit)
            )
    _mark_active(columns, cells, keys[first:stop], focus)
    rows = tuple(
        Row(hour_label(key), key.occurrence > 0, tuple(row_cells))
        for key, row_cells in zip(keys[first:stop], cells, strict=True)
    )
    return TimeGrid(
        tuple(columns),
        tuple(_all_day_cell(c, back, can_edit) for c in columns),
        rows,
        shows_whole_day=whole_day or (first, stop) == (0, len(keys)),
    )


def _cell(
    column: Column,
    row: int,
    key: HourKey,
    slot: HourSlot | None,
    placed: Sequence[Placed],
    first: int,
    back: str,
    can_edit: bool,
) -> Cell:
    where = f"{column.heading}, {hour_label(key)}"
    if slot is None:
        words = _("%(where)s: this hour does not exist that day (the clocks change)")
        return Cell(where, words % {"where": where}, exists=False)
    unit = column.bookings.unit
    spans = column.bookings.spans
    entries = column.bookings.entries
    covered = tuple(ids_in_slot(placed, slot))
    said = "; ".join(entry_words(entries[i], span_text(spans[i], unit)) for i in covered)
    words = _("%(where)s: %(bookings)s") % {"where": where, "bookings": said or _("free")}
    # The hour clocks repeat cannot be typed in the form (its 02:00 is the first one).
    can_add = can_edit and key.occurrence == 0
    return Cell(
        where,
        words,
        blocks=tuple(
            _block(p, entries[p.piece.id], column, first + row)
            for p in placed
            if first + row <= p.top < first + row + 1
        ),
        covered=covered,
        add=add_url(unit, back, slot.start, slot.end) if can_add else "",
        is_today=column.is_today,
    )


def _block(placed: Placed, entry: AgendaEntry, column: Column, row: int) -> Block:
    """Name a piece drawn in the cell of view row ``row``, ``top`` rows below that cell's top."""
    piece, unit = placed.piece, column.bookings.unit
    start, end = piece_times(piece, unit)
    span = column.bookings.spans[piece.id]
    return Block(
        entry=entry,
        start_text=start,
        end_text=end,
        words=entry_words(entry, span_text(span, unit)),
        top=placed.top - row,
        length=placed.bottom - placed.top,
        lane=placed.lane,
        lanes=placed.lanes,
        starts_before=piece.starts_before,
        ends_after=piece.ends_after,
    )


def _all_day_cell(column: Column, back: str, can_edit: bool) -> AllDayCell:
    bookings = column.bookings
    entries = tuple(bookings.entries[i] for i in nights_on_day(bookings.nights, column.day))
    said = "; ".join(
        e.title if e.title == e.kind_text else f"{e.title}, {e.kind_text}" for e in entries
    )
    where = _("%(where)s, all day") % {"where": column.heading}
    words = _("%(where)s: %(bookings)s") % {"where": where, "bookings": said or _("free")}
    day = column.day
    add = add_url(bookings.unit, back, day, day + timedelta(days=1)) if can_edit else ""
    return AllDayCell(where, words, entries, add)


def _mark_active(
    columns: Sequence[Column],
    cells: list[list[Cell]],
    keys: Sequence[HourKey],
    focus: tuple[int, time] | None,
) -> None:
    """Choose the one cell the Tab key lands on: the one asked for, else today's first booking."""
    if not cells:
        return
    if focus is not None and 0 <= focus[0] < len(columns):
        column, hour = focus[0], focus[1]
    else:
        column, hour = next((i for i, c in enumerate(columns) if c.is_today), 0), None
    rows = [r for r, row in enumerate(cells) if row[column].exists]
    if not rows:
        return
    if hour is not None:
        row = next((r for r in rows if keys[r].label >= hour), rows[-1])
    else:
        row = next((r for r in rows if cells[r][column].covered), rows[0])
    cells[row][column].is_active = True
