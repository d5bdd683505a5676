"""Apply a reconcile plan to stored bookings, keeping the history of moves."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import F

from icalbridge.core.echoes import is_echo
from icalbridge.core.feed import FeedEvent
from icalbridge.core.reconcile import Plan
from icalbridge.core.spans import Nights, Span
from icalbridge.hub.models import Booking, BookingMove, Channel


def span_text(span: Span) -> tuple[str, str]:
    return span.start.isoformat(), span.end.isoformat()


def apply_plan(
    plan: Plan,
    channel: Channel,
    now: datetime,
    echo_keys: frozenset[str],
    horizon_keys: frozenset[str],
) -> None:
    """Add, change and cancel the channel's bookings as the plan says, in the caller's transaction."""
    for event in plan.add:
        booking = _new_booking(event, channel, echo_keys, horizon_keys)
        booking.save()
    ids = [c.booking.id for c in plan.change]
    rows = {str(b.public_id): b for b in Booking.objects.filter(public_id__in=ids)}
    for change in plan.change:
        row = rows[change.booking.id]
        if change.moved:
            old = span_text(row.span)
            new = span_text(change.event.span)
            BookingMove.objects.create(
                booking=row, old_start=old[0], old_end=old[1], new_start=new[0], new_end=new[1]
            )
        row.set_span(change.event.span)
        row.kind = change.event.kind.value
        row.summary = change.event.summary
        row.is_block = change.event.is_block
        row.remote_uid = change.event.key
        row.is_echo = change.is_echo
        row.is_horizon = change.is_horizon
        row.sequence += 1
        row.save()
    if plan.cancel:
        Booking.objects.filter(public_id__in=[b.id for b in plan.cancel]).update(
            cancelled_at=now, sequence=F("sequence") + 1, updated_at=now
        )


def _new_booking(
    event: FeedEvent, channel: Channel, echo_keys: frozenset[str], horizon_keys: frozenset[str]
) -> Booking:
    booking = Booking(
        unit_id=channel.unit_id,
        kind=event.kind.value,
        summary=event.summary,
        origin=channel,
        remote_uid=event.key,
        is_block=event.is_block,
        is_echo=event.key in echo_keys,
        is_horizon=event.key in horizon_keys,
    )
    booking.set_span(event.span)
    return booking


def stored_imports(channel: Channel) -> list[Booking]:
    """Return the channel's active imported bookings, in a stable order."""
    return list(Booking.objects.filter(origin=channel, cancelled_at__isnull=True).order_by("id"))


def served_snapshots(channel: Channel) -> list[list[Nights]]:
    """Return what the channel's platform received at its last fetches, newest first."""
    snapshots = []
    for entry in channel.served_history or []:
        snapshots.append(
            [
                Nights(date.fromisoformat(s), date.fromisoformat(e))
                for s, e in entry.get("nights", [])
            ]
        )
    return snapshots


def is_channel_block_an_echo(
    booking: Booking, snapshots: list[list[Nights]], channel: Channel
) -> bool:
    event = FeedEvent(
        uid=booking.remote_uid,
        span=booking.span,
        kind=booking.as_core().kind,
        summary=booking.summary,
        is_block=booking.is_block,
    )
    return is_echo(event, snapshots, channel.unit.stay_times)


def refresh_echo_flags(channel: Channel) -> bool:
    """Free the channel's echoes it no longer mirrors; return whether any flipped.

    Runs on unchanged feeds too: a block stops being an echo once the platform has fetched
    our feed twice without its nights, even if its own feed did not change. A real block
    never turns into an echo here: its bytes did not change, so it was there before we
    served its nights (``core.echoes.blocks_on_own_nights``).
    """
    snapshots = served_snapshots(channel)
    flipped = False
    echoes = Booking.objects.filter(
        origin=channel, cancelled_at__isnull=True, is_block=True, is_echo=True
    )
    for booking in echoes:
        if not is_channel_block_an_echo(booking, snapshots, channel):
            Booking.objects.filter(pk=booking.pk).update(is_echo=False)
            flipped = True
    return flipped
