"""Diff a channel's feed against its stored bookings: add, change, cancel or hold.

docs/domain.md rules 5 (reconcile by remote UID, fallback span + summary), 6 (past is history),
7 (never free dates on a doubtful feed) and 13 (a changed stay is an update).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date
from enum import StrEnum
from itertools import chain

from icalbridge.core.bookings import Booking
from icalbridge.core.feed import FeedEvent
from icalbridge.core.spans import Nights, Span, StayTimes


class HoldReason(StrEnum):
    """Why a plan is held instead of applied (docs/domain.md rule 7)."""

    MASS_REMOVAL = "mass_removal"
    EMPTIED = "emptied"
    NOT_CALENDAR = "not_calendar"
    TRUNCATED = "truncated"


@dataclass(frozen=True)
class Change:
    """An update to an existing booking; ``is_echo``/``is_horizon`` are the new flags."""

    booking: Booking
    event: FeedEvent
    moved: bool
    is_echo: bool = False
    is_horizon: bool = False


@dataclass(frozen=True)
class Plan:
    """What an import would do; nothing of it applies while ``is_held``."""

    add: tuple[FeedEvent, ...]
    change: tuple[Change, ...]
    cancel: tuple[Booking, ...]
    kept_past: tuple[Booking, ...]
    hold_reason: str | None
    hold_params: tuple[tuple[str, str], ...] = ()

    @property
    def is_held(self) -> bool:
        return self.hold_reason is not None

    @property
    def writes_now(self) -> bool:
        """Tell whether any of this plan is written now: all of it, or a damaged feed's new stays."""
        return not self.is_held or (self.hold_reason == HoldReason.TRUNCATED and bool(self.add))

    @property
    def is_noop(self) -> bool:
        """Tell whether applying this plan would change no booking."""
        return not (self.add or self.change or self.cancel)


def plan_import(
    events: Sequence[FeedEvent],
    stored: Sequence[Booking],
    *,
    today: date,
    feed_is_calendar: bool = True,
    feed_is_truncated: bool = False,
    confirmed: bool = False,
    stay: StayTimes | None = None,
    echo_keys: frozenset[str] = frozenset(),
    horizon_keys: frozenset[str] = frozenset(),
) -> Plan:
    """Plan how one channel's stored bookings follow its feed.

    ``stored`` are the active bookings whose origin is the channel; their ``remote_uid``
    holds the ``FeedEvent.key`` they were imported from. Events match bookings by that
    key; an event with a synthetic UID that matches nothing takes an unmatched booking
    with the same span and summary, so feeds without stable UIDs do not churn. A matched
    pair whose span, kind, summary, key or flags (``echo_keys``, ``horizon_keys``)
    differ is a ``Change`` (``moved`` when the span differs: never cancel + add).
    Unmatched bookings that end after ``today`` are cancelled; the others are history
    and kept (``kept_past``). A booking's end day is its check-out day, or for a timed
    span the date of its end in the unit's zone (``stay``), else in UTC.

    A feed that is not a calendar yields an empty held plan. A truncated or damaged one
    yields a held plan that only adds the stays it holds whole and we do not know yet:
    adding blocks nights and frees none, and a stay hidden behind the damage must still
    block its nights. A plan that
    would cancel at least half (and at least two) of the channel's future bookings, or a
    feed without events while future bookings exist, is held but still lists what it
    would do, unless ``confirmed``. Echoes and horizon blocks are not bookings (rules 8
    and 12), so they count on neither side of that threshold. Every tuple is sorted.
    """
    if not feed_is_calendar:
        return Plan((), (), (), (), HoldReason.NOT_CALENDAR)
    pairs, new_events, dropped = _match(events, stored)
    if feed_is_truncated:
        return Plan(
            tuple(sorted(new_events, key=_event_order)),
            (),
            (),
            (),
            HoldReason.TRUNCATED,
            (("events", str(len(events))),),
        )
    changes = [
        change
        for booking, event in pairs
        if (change := _change_for(booking, event, echo_keys, horizon_keys)) is not None
    ]
    cancel = [b for b in dropped if _is_future(b, today, stay)]
    kept_past = [b for b in dropped if not _is_future(b, today, stay)]
    hold_reason, hold_params = (
        (None, ()) if confirmed else _doubt(events, stored, cancel, today, stay)
    )
    return Plan(
        add=tuple(sorted(new_events, key=_event_order)),
        change=tuple(sorted(changes, key=lambda c: c.booking.id)),
        cancel=tuple(sorted(cancel, key=lambda b: b.id)),
        kept_past=tuple(sorted(kept_past, key=lambda b: b.id)),
        hold_reason=hold_reason,
        hold_params=hold_params,
    )


def _match(
    events: Sequence[FeedEvent], stored: Sequence[Booking]
) -> tuple[list[tuple[Booking, FeedEvent]], list[FeedEvent], list[Booking]]:
    """Pair events with bookings: by key, then synthetic UIDs by span and summary."""
    by_key: dict[str, list[Booking]] = defaultdict(list)
    for booking in sorted(stored, key=lambda b: b.id):
        by_key[booking.remote_uid].append(booking)
    events_by_key: dict[str, list[FeedEvent]] = defaultdict(list)
    for event in sorted(events, key=_event_order):
        events_by_key[event.key].append(event)

    pairs: list[tuple[Booking, FeedEvent]] = []
    unmatched_events: list[FeedEvent] = []
    for key, group in sorted(events_by_key.items()):
        candidates = by_key.pop(key, [])
        # A feed repeating a UID (merged listings, broken exports) must not add a copy on
        # every import: exact spans pair first, the rest in a stable order.
        leftover: list[FeedEvent] = []
        for event in group:
            same = next((b for b in candidates if b.span == event.span), None)
            if same is None:
                leftover.append(event)
            else:
                candidates.remove(same)
                pairs.append((same, event))
        pairs.extend(zip(candidates, leftover, strict=False))
        unmatched_events.extend(leftover[len(candidates) :])
        by_key[key] = candidates[len(leftover) :]

    pool: dict[tuple[Span, str], list[Booking]] = defaultdict(list)
    for booking in sorted(chain.from_iterable(by_key.values()), key=lambda b: b.id):
        pool[(booking.span, booking.summary)].append(booking)
    new_events: list[FeedEvent] = []
    for event in unmatched_events:
        same_stay = pool.get((event.span, event.summary)) if event.uid_is_synthetic else None
        if same_stay:
            pairs.append((same_stay.pop(0), event))
        else:
            new_events.append(event)
    return pairs, new_events, list(chain.from_iterable(pool.values()))


def _change_for(
    booking: Booking, event: FeedEvent, echo_keys: frozenset[str], horizon_keys: frozenset[str]
) -> Change | None:
    """Return the update a booking needs to match its event, or None when it matches."""
    is_echo = event.key in echo_keys
    is_horizon = event.key in horizon_keys
    moved = booking.span != event.span
    same = (
        not moved
        and booking.kind == event.kind
        and booking.summary == event.summary
        and booking.is_block == event.is_block
        and booking.remote_uid == event.key
        and booking.is_echo == is_echo
        and booking.is_horizon == is_horizon
    )
    return None if same else Change(booking, event, moved, is_echo, is_horizon)


def _doubt(
    events: Sequence[FeedEvent],
    stored: Sequence[Booking],
    cancel: Sequence[Booking],
    today: date,
    stay: StayTimes | None,
) -> tuple[HoldReason | None, tuple[tuple[str, str], ...]]:
    """Return why this change looks like a broken feed rather than real cancellations."""
    future = [b for b in stored if _counts_as_booking(b) and _is_future(b, today, stay)]
    removed = [b for b in cancel if _counts_as_booking(b)]
    if not events and future:
        return HoldReason.EMPTIED, (("count", str(len(removed))), ("future", str(len(future))))
    if len(removed) >= 2 and 2 * len(removed) >= len(future):
        return HoldReason.MASS_REMOVAL, (
            ("count", str(len(removed))),
            ("future", str(len(future))),
        )
    return None, ()


def _counts_as_booking(booking: Booking) -> bool:
    # Echoes vanish whenever the host cancels here (docs/domain.md rule 8); counting them would hold
    # every ordinary cancellation on a channel that mostly mirrors our own export.
    return not (booking.is_echo or booking.is_horizon)


def _is_future(booking: Booking, today: date, stay: StayTimes | None) -> bool:
    return _end_day(booking.span, stay) > today


def _end_day(span: Span, stay: StayTimes | None) -> date:
    """Return the day a span ends: check-out day, or the timed end's date in the unit zone."""
    if isinstance(span, Nights):
        return span.end
    return span.end.astimezone(stay.zone if stay is not None else UTC).date()


def _span_order(span: Span) -> tuple[int, str, str]:
    """Return a sort key that orders nights and timed spans together, deterministically."""
    if isinstance(span, Nights):
        return (0, span.start.isoformat(), span.end.isoformat())
    return (1, span.start.astimezone(UTC).isoformat(), span.end.astimezone(UTC).isoformat())


def _event_order(event: FeedEvent) -> tuple[str, tuple[int, str, str], str, str]:
    return (event.key, _span_order(event.span), event.kind, event.summary)
