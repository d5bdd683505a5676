"""Lay timed bookings out on a day's hours: the part of each on the day, lanes, rows.

A week or day view draws each day as a column of hour rows (``core.day_hours``). A
booking is cut to the day it is drawn on, placed between the rows its start and end fall
in, and bookings that share time sit side by side in lanes, each as wide as its group of
overlapping bookings allows: a room booked twice at 10:00 shows both lessons, never one
over the other. Whether two overlapping bookings are a double booking is rule 9's to say
(``core.conflicts``), not the layout's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property
from zoneinfo import ZoneInfo

from icalbridge.core.day_hours import HourKey, HourSlot, day_span
from icalbridge.core.spans import Nights, Timed


@dataclass(frozen=True)
class DayPiece:
    """The part of a timed booking that falls on one day (UTC ends)."""

    id: str
    start: datetime
    end: datetime
    starts_before: bool = False
    ends_after: bool = False

    @cached_property
    def span(self) -> Timed:
        # Built once: laying out a busy week compares each piece with its neighbours often.
        return Timed(self.start, self.end)


@dataclass(frozen=True)
class Placed:
    """A piece as a column draws it: from row ``top`` to row ``bottom``, in lane ``lane`` of ``lanes``.

    Rows count from the first row of the view; a fraction is a part of that row's hour.
    """

    piece: DayPiece
    top: float
    bottom: float
    lane: int
    lanes: int


def pieces_on_day(spans: Iterable[tuple[str, Timed]], day: date, zone: ZoneInfo) -> list[DayPiece]:
    """Return the part of each span that falls on ``day`` in ``zone``, ordered by start."""
    whole = day_span(day, zone)
    pieces = []
    for id_, span in spans:
        if not span.overlaps(whole):
            continue
        pieces.append(
            DayPiece(
                id_,
                max(span.start, whole.start),
                min(span.end, whole.end),
                starts_before=span.start < whole.start,
                ends_after=span.end > whole.end,
            )
        )
    return sorted(pieces, key=lambda p: (p.start, p.end, p.id))


def nights_on_day(spans: Iterable[tuple[str, Nights]], day: date) -> list[str]:
    """Return the ids of the all-day spans that hold the night of ``day``."""
    return [id_ for id_, nights in spans if nights.start <= day < nights.end]


def lanes_of(pieces: Sequence[DayPiece]) -> dict[str, tuple[int, int]]:
    """Return each piece's lane and the number of lanes of its group of overlapping pieces.

    Pieces are taken by start and each goes to the first lane free at its start, which uses
    as few lanes as the most pieces that share one instant (the least any drawing can).
    A group ends where a piece overlaps none of the group before it.
    """
    found: dict[str, tuple[int, int]] = {}
    group: list[tuple[DayPiece, int]] = []
    lane_last: list[DayPiece] = []

    def close_group() -> None:
        for piece, lane in group:
            found[piece.id] = (lane, len(lane_last))

    for piece in sorted(pieces, key=lambda p: (p.start, p.end, p.id)):
        if group and not any(p.span.overlaps(piece.span) for p, _lane in group):
            close_group()
            group, lane_last = [], []
        lane = next(
            (i for i, last in enumerate(lane_last) if not last.span.overlaps(piece.span)),
            len(lane_last),
        )
        if lane == len(lane_last):
            lane_last.append(piece)
        else:
            lane_last[lane] = piece
        group.append((piece, lane))
    close_group()
    return found


def row_position(
    instant: datetime, slots: Sequence[HourSlot], rows: Mapping[HourKey, int], *, is_end: bool
) -> float:
    """Return where an instant of the day falls, in rows: the row of its hour plus the part passed.

    An end that falls on the turn of an hour is drawn at the bottom of the hour before, so
    that a lesson ending at 03:00 on the day clocks jump from 02:00 stops under the 01:00
    row instead of crossing the 02:00 row that day does not have.
    """
    for slot in slots:
        inside = slot.start < instant <= slot.end if is_end else slot.start <= instant < slot.end
        if inside:
            length = (slot.end - slot.start).total_seconds()
            return rows[slot.key] + (instant - slot.start).total_seconds() / length
    raise ValueError(f"{instant} is not within the day of these hours")


def place_column(
    pieces: Sequence[DayPiece], slots: Sequence[HourSlot], rows: Sequence[HourKey]
) -> list[Placed]:
    """Return the pieces of one day column placed on the view's rows, in lanes."""
    index = {key: i for i, key in enumerate(rows)}
    lanes = lanes_of(pieces)
    placed = []
    for piece in pieces:
        top = row_position(piece.start, slots, index, is_end=False)
        bottom = (
            top if piece.end == piece.start else row_position(piece.end, slots, index, is_end=True)
        )
        lane, count = lanes[piece.id]
        placed.append(Placed(piece, top, bottom, lane, count))
    return placed


def ids_in_slot(placed: Iterable[Placed], slot: HourSlot) -> list[str]:
    """Return the ids of the pieces that share time with one hour, in lane order."""
    hour = slot.span
    return [
        p.piece.id
        for p in sorted(placed, key=lambda p: (p.lane, p.top))
        if p.piece.span.overlaps(hour)
    ]


def row_window(
    rows: Sequence[HourKey], placed: Iterable[Placed], first: time, last: time
) -> tuple[int, int]:
    """Return the rows to show, ``[start, stop)``: the hours from ``first`` to ``last``, widened to hold every piece."""
    inside = [i for i, key in enumerate(rows) if first <= key.label < last]
    start = min(inside, default=0)
    stop = max(inside, default=len(rows) - 1) + 1
    for p in placed:
        start = min(start, math.floor(p.top))
        stop = max(stop, math.ceil(p.bottom), math.floor(p.top) + 1)
    return start, min(stop, len(rows))


def first_free_hour(
    pieces: Sequence[DayPiece], slots: Sequence[HourSlot], first: time, last: time
) -> HourSlot | None:
    """Return the first hour from ``first`` to before ``last`` that no piece touches, if any."""
    for slot in slots:
        if first <= slot.key.label < last and not any(p.span.overlaps(slot.span) for p in pieces):
            return slot
    return None
