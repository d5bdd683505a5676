"""Which bookings each channel's export carries, and in what words.

docs/domain.md rules 2, 3, 8 and 12.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalbridge.core.bookings import Booking, Kind
from icalbridge.core.ics_write import ExportEvent, export_uid
from icalbridge.core.spans import Nights, Span, StayTimes, nights_of

# How often calendar programs should fetch an agenda feed again (REFRESH-INTERVAL, RFC
# 7986). Bookings of rooms and people change through the working day, and the quickest
# platform presets poll every hour: an hour shows a change made in the morning by the
# afternoon, where Nextcloud refreshes a subscription weekly when nothing is said, and a
# fetch of an unchanged feed costs a lookup and a 304. Rental platforms ignore it and
# poll on their own schedule.
AGENDA_REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class ExportFilter:
    """The kinds and categories a channel's export lets through; None lets everything through.

    The category ``""`` stands for uncategorised bookings.
    """

    kinds: frozenset[Kind] | None = None
    categories: frozenset[str] | None = None

    def lets_through(self, booking: Booking) -> bool:
        return (self.kinds is None or booking.kind in self.kinds) and (
            self.categories is None or booking.category in self.categories
        )


@dataclass(frozen=True)
class ExportWording:
    """The neutral SUMMARY of each kind, or the host's own words for them."""

    reserved: str = "Reserved"
    tentative: str = "Tentative"
    unavailable: str = "Not available"

    def summary_for(self, kind: Kind) -> str:
        return {
            Kind.RESERVED: self.reserved,
            Kind.TENTATIVE: self.tentative,
            Kind.UNAVAILABLE: self.unavailable,
        }[kind]


def bookings_for_channel(
    bookings: Iterable[Booking], channel_id: str, flt: ExportFilter
) -> list[Booking]:
    """Return the active bookings the export to ``channel_id`` carries (docs/domain.md rule 2).

    A booking is exported when it did not come from that channel (a platform must never get
    its own bookings back), its scope includes the channel, and it passes the channel's
    filter. Echoes (rule 8) and moving horizon blocks (rule 12) are never exported:
    passing them on would keep dates blocked everywhere after the real booking is gone.
    """
    return [
        b
        for b in bookings
        if b.origin != channel_id
        and b.is_shown_on(channel_id)
        and flt.lets_through(b)
        and not b.is_echo
        and not b.is_horizon
    ]


def export_events_for_channel(
    bookings: Iterable[Booking],
    channel_id: str,
    flt: ExportFilter,
    wording: ExportWording,
    *,
    rental: bool,
    stay: StayTimes,
    since: date | None = None,
) -> list[ExportEvent]:
    """Return the events of ``channel_id``'s export feed, with no guest data (rule 3).

    Each event has the booking's own UID, sequence and last change, and the neutral word
    of its kind as SUMMARY. For a rental platform (``rental=True``) timed bookings become
    the nights they occupy (rule 10), and one that occupies no night is left out; agenda
    feeds keep them timed. Bookings are never merged: each keeps its UID, so a platform
    sees a cancelled or moved booking as exactly that. Bookings over before ``since``
    are left out (see ``rental_export_since``).
    """
    events: list[ExportEvent] = []
    for booking in bookings_for_channel(bookings, channel_id, flt):
        if since is not None and ends_before(booking.span, since):
            continue
        span = nights_of(booking.span, stay) if rental else booking.span
        if span is None:
            continue
        events.append(
            ExportEvent(
                uid=export_uid(booking.id),
                span=span,
                summary=wording.summary_for(booking.kind),
                sequence=booking.sequence,
                last_modified=booking.updated_at,
                status=_status_for(booking.kind, rental=rental),
                # A category names a type of booking ("cours"), never a guest; platforms
                # have no use for it, calendar apps filter and colour by it.
                categories=(booking.category,) if booking.category and not rental else (),
            )
        )
    return events


def rental_export_since(today: date) -> date:
    """Return the first day a rental platform's export still shows: the 1st of last month.

    Platforms trim their own past, and a feed carrying every stay ever made would grow for
    as long as the host rents. The limit moves once a month, not daily, so that the feed's
    bytes do not change every day as stays slip out of it.
    """
    last_month = today.replace(day=1) - timedelta(days=1)
    return last_month.replace(day=1)


def ends_before(span: Span, day: date) -> bool:
    """Tell whether a span is over before ``day`` starts (a timed one by its UTC date)."""
    end = span.end
    return (end.date() if isinstance(end, datetime) else end) < day


def served_nights(events: Sequence[ExportEvent]) -> tuple[Nights, ...]:
    """Return the merged, sorted runs of nights the all-day events of an export cover.

    This is what a platform received when it fetched the export, recorded to tell its
    echoes from real blocks (docs/domain.md rule 8). Overlapping and back-to-back stays merge into
    one run, since a platform's block over them carries no boundary between them.
    """
    runs: list[Nights] = []
    for nights in sorted(e.span for e in events if isinstance(e.span, Nights)):
        if runs and nights.start <= runs[-1].end:
            if nights.end > runs[-1].end:
                runs[-1] = Nights(runs[-1].start, nights.end)
        else:
            runs.append(nights)
    return tuple(runs)


def _status_for(kind: Kind, *, rental: bool) -> str | None:
    # A platform importer that drops TENTATIVE events would leave pre-reserved nights open
    # to a double booking, so rental feeds carry the word in SUMMARY only.
    if kind is Kind.TENTATIVE and not rental:
        return "TENTATIVE"
    return None
