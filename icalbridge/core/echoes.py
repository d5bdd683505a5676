"""Tell which imported events merely mirror what we exported to that channel.

docs/domain.md rule 8.

Platforms re-export as blocks the dates they imported from us ("Airbnb (Not available)",
"CLOSED - Not available", "Indisponible"). Taken for real blocks, they would be exported
to the other channels and keep those dates closed after the host cancels here: a block
that lives on by itself, fed back by each platform in turn. Taken for reservations, they
would raise a false double booking against the very stay they mirror.

So an event is an echo when the platform presents it as a block and all its nights were
in what we served to that channel at one of its last two fetches of our export feed.
The window is counted in the channel's own fetches, not in hours: a platform polling
daily and one polling every ten minutes both get exactly the time they need to notice a
cancellation, and once they have fetched twice without those nights, their block is real
again (it can no longer come from us). One snapshot must hold all the nights: a block
straddling two snapshots was not in anything we served as such, so it is real.
A reservation is never an echo: platforms export what they imported as blocks only.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace

from icalbridge.core.bookings import Booking
from icalbridge.core.feed import FeedEvent
from icalbridge.core.spans import Nights, StayTimes, nights_of

SNAPSHOTS_CONSIDERED = 2


@dataclass(frozen=True)
class EchoJudgement:
    """A feed's events as rule 8 leaves them: what to reconcile, and which are echoes."""

    events: tuple[FeedEvent, ...]
    echo_keys: frozenset[str]


def judge_echoes(
    events: Sequence[FeedEvent],
    served: Sequence[Sequence[Nights]],
    stored: Sequence[Booking],
    stay: StayTimes,
    *,
    keep: frozenset[str] = frozenset(),
    echo_detection: bool = True,
) -> EchoJudgement:
    """Apply the whole echo rule (docs/domain.md rule 8) to one channel's feed.

    ``served`` is what we served to the channel at its fetches of our export feed, newest
    first; ``stored`` its active imported bookings (their ``is_echo`` flags say which of
    its blocks were already judged its own). An event is an echo when ``is_echo`` says so,
    unless it is a block holding a night of the channel's own blocks
    (``blocks_on_own_nights``); then the nights we served at the newest fetch are cut out
    of the other blocks (``without_served_nights``), sparing echoes and the events in
    ``keep`` (horizon blocks). With ``echo_detection`` off (the simulation's control run),
    the events come back as they are and none is an echo.
    """
    if not echo_detection:
        return EchoJudgement(tuple(events), frozenset())
    own = real_block_nights(stored, stay)
    echoes = echo_keys(events, served, stay) - blocks_on_own_nights(events, own, stay)
    latest = served[0] if served else []
    kept = without_served_nights(events, latest, stay, echoes | keep, known=own)
    return EchoJudgement(kept, echoes)


def still_echoes(
    blocks: Sequence[FeedEvent],
    served: Sequence[Sequence[Nights]],
    stay: StayTimes,
    *,
    echo_detection: bool = True,
) -> tuple[bool, ...]:
    """Tell, for each stored echo, whether the served history still accounts for it.

    Once the platform has fetched our feed twice without a block's nights, the block can
    no longer come from us: it is real again, even if the platform's feed did not change.
    """
    if not echo_detection:
        return tuple(False for _ in blocks)
    snapshots = [_merged(s) for s in served[:SNAPSHOTS_CONSIDERED]]
    return tuple(_is_within_a_snapshot(b, snapshots, stay) for b in blocks)


def is_echo(event: FeedEvent, served: Sequence[Sequence[Nights]], stay: StayTimes) -> bool:
    """Tell whether a channel's event only mirrors nights we served it.

    ``served`` holds what we served to the channel at each of its fetches of our export
    feed, newest first, each as runs of nights; only the first two count.
    """
    return _is_within_a_snapshot(event, [_merged(s) for s in served[:SNAPSHOTS_CONSIDERED]], stay)


def echo_keys(
    events: Sequence[FeedEvent], served: Sequence[Sequence[Nights]], stay: StayTimes
) -> frozenset[str]:
    """Return the keys of the events that are echoes (see ``is_echo``)."""
    snapshots = [_merged(s) for s in served[:SNAPSHOTS_CONSIDERED]]
    return frozenset(e.key for e in events if _is_within_a_snapshot(e, snapshots, stay))


def blocks_on_own_nights(
    events: Sequence[FeedEvent], own: Sequence[Nights], stay: StayTimes
) -> frozenset[str]:
    """Return the keys of the blocks holding a night of ``own`` (``real_block_nights``).

    A block we saw before we served its nights is the platform's own: it cannot mirror
    nights we sent later, and neither can a block that still holds any of its nights, even
    one made only of nights we serve (the platform's closure on night 21, then our block
    on 21-25, shown as one block 21-25). Taken for an echo, such a block would free the
    platform's own nights everywhere the moment ours go, or resolve a double booking that
    still stands (a stay sold on Booking.com, then the same nights on Airbnb). Its nights
    we serve are cut out by ``without_served_nights``, its own are kept.
    """
    return frozenset(
        event.key
        for event in events
        if event.is_block
        and (nights := nights_of(event.span, stay)) is not None
        and any(nights.overlaps(run) for run in own)
    )


def real_block_nights(stored: Sequence[Booking], stay: StayTimes) -> list[Nights]:
    """Return the nights of a channel's stored blocks that are its own (not echoes)."""
    nights = (nights_of(b.span, stay) for b in stored if _is_real_block(b))
    return [n for n in nights if n is not None]


def _is_real_block(booking: Booking) -> bool:
    return booking.is_block and not booking.is_echo


def without_served_nights(
    events: Sequence[FeedEvent],
    latest: Sequence[Nights],
    stay: StayTimes,
    keep: frozenset[str],
    known: Sequence[Nights] = (),
) -> tuple[FeedEvent, ...]:
    """Return the events with the nights we served at the newest fetch cut out of blocks.

    Platforms show each run of closed nights as one block, whatever closed them: the
    host's closure on nights 8-10 and our stay on 10-14 come back as one block 8-14. That
    block is not an echo (nights 8-10 are the platform's own), but nights 10-14 are ours:
    taken as the platform's, they would be sent on to every other channel, outlive our
    stay, and circle from platform to platform (a loop); on Booking.com they would be a
    double booking with our own stay. So a block keeps only its other nights: the first
    run under the event's key, any further one under ``key#2``, ``key#3``. Events in
    ``keep`` (echoes, horizons), stays, timed events and blocks that share no night with
    ``latest`` are returned as they are.

    Nights in ``known`` (the channel's blocks already stored as real) are never cut: the
    platform showed them before we served them, so they are its own, and cut out with
    ours they would be freed everywhere the moment ours go, before the platform's next
    fetch shows them alone. A block stored with the same dates is thus returned whole.
    """
    known_runs = _merged(known)
    runs = [part for run in _merged(latest) for part in _outside(run, known_runs)]
    result: list[FeedEvent] = []
    for event in events:
        nights = nights_of(event.span, stay) if isinstance(event.span, Nights) else None
        parts = _outside(nights, runs) if nights is not None else []
        if not event.is_block or event.key in keep or not parts or parts == [nights]:
            result.append(event)
            continue
        for number, part in enumerate(parts, start=1):
            uid = event.uid if number == 1 else f"{event.uid}#{number}"
            result.append(replace(event, uid=uid, span=part))
    return tuple(result)


def _outside(nights: Nights, runs: list[Nights]) -> list[Nights]:
    """Return the parts of ``nights`` that no run covers, in order."""
    parts: list[Nights] = []
    start = nights.start
    for run in runs:
        if run.end <= start or run.start >= nights.end:
            continue
        if run.start > start:
            parts.append(Nights(start, run.start))
        start = max(start, run.end)
    if start < nights.end:
        parts.append(Nights(start, nights.end))
    return parts


def _is_within_a_snapshot(
    event: FeedEvent, snapshots: Sequence[list[Nights]], stay: StayTimes
) -> bool:
    if not event.is_block:
        return False
    nights = nights_of(event.span, stay)
    if nights is None:
        return False
    return any(_is_covered(nights, runs) for runs in snapshots)


def _merged(runs: Sequence[Nights]) -> list[Nights]:
    """Return the runs sorted and joined where they touch: back-to-back stays echo as one."""
    merged: list[Nights] = []
    for run in sorted(runs):
        if merged and run.start <= merged[-1].end:
            if run.end > merged[-1].end:
                merged[-1] = Nights(merged[-1].start, run.end)
        else:
            merged.append(run)
    return merged


def _is_covered(nights: Nights, runs: list[Nights]) -> bool:
    index = bisect_right([run.start for run in runs], nights.start) - 1
    return index >= 0 and runs[index].end >= nights.end
