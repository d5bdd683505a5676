"""What is really booked, and what each platform listing holds and believes."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

Run = tuple[int, int]  # nights as day ordinals [start, end): end is the check-out day


@dataclass
class Item:
    """A real booking or owner block, wherever it was made; ``since`` is when its dates were set."""

    id: int
    source: str
    unit: int
    uid: str
    nights: Run
    is_reservation: bool
    since: int
    timed: tuple[datetime, datetime] | None = None
    cancelled_at: int | None = None
    hub_pk: int | None = None

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None

    def night_set(self) -> set[int]:
        return set(range(*self.nights))


@dataclass(frozen=True)
class ListingEvent:
    """One event of a listing's export, before it is written in its platform's style."""

    uid: str
    start: int
    end: int
    kind: str  # "reservation", "block", "imported" or "horizon"
    timed: tuple[datetime, datetime] | None = None


@dataclass
class Listing:
    """A unit's listing on one platform (or the host's agenda): its own items, its imports."""

    source: str
    unit: int
    key: str
    own: dict[str, Item] = field(default_factory=dict)
    imported: frozenset[int] = frozenset()
    imported_etag: str | None = None
    fetch_times: list[int] = field(default_factory=list)  # when it fetched the hub's feed
    horizon: Run | None = None
    horizon_uid: str = ""
    merges_blocks: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def last_fetch_at(self) -> int | None:
        return self.fetch_times[-1] if self.fetch_times else None

    def own_nights(self) -> set[int]:
        nights: set[int] = set()
        for item in self.own.values():
            nights.update(range(*item.nights))
        return nights

    def believes_free(self, nights: Run) -> bool:
        """Tell whether a guest may book these nights here: the platform's own view only."""
        wanted = set(range(*nights))
        if self.horizon is not None and nights[1] > self.horizon[0]:
            return False
        return not (wanted & self.imported) and not (wanted & self.own_nights())

    def events(self, today: int) -> list[ListingEvent]:
        """Return the listing's export: stays, blocked runs, horizon; past stays trimmed.

        A listing that ``merges_blocks`` (as real platforms do: availability is per night)
        exports every run of unavailable nights as one block, whether the host closed
        them or they came from the hub; otherwise the host's blocks and the imported runs
        are separate events.
        """
        # Rental platforms trim past stays; an agenda keeps its whole history.
        own = [i for i in self.own.values() if i.nights[1] > today or self.source == "google"]
        stays = [i for i in own if i.is_reservation]
        events = [ListingEvent(i.uid, *i.nights, "reservation", i.timed) for i in stays]
        stay_nights = {n for i in stays for n in range(*i.nights)}
        blocks = [i for i in own if not i.is_reservation]
        if self.merges_blocks:
            closed = {n for i in blocks for n in range(*i.nights)} | self.imported
            for start, end in runs_of(n for n in closed - stay_nights if n >= today):
                events.append(ListingEvent(self.run_uid(start, end), start, end, "block"))
        else:
            events += [ListingEvent(i.uid, *i.nights, "block", i.timed) for i in blocks]
            foreign = self.imported - self.own_nights()
            for start, end in runs_of(n for n in foreign if n >= today):
                events.append(ListingEvent(self.run_uid(start, end), start, end, "imported"))
        if self.horizon is not None:
            events.append(ListingEvent(self.horizon_uid, *self.horizon, "horizon"))
        return sorted(events, key=lambda e: (e.start, e.end, e.uid))

    def run_uid(self, start: int, end: int) -> str:
        """Return the UID of an imported run: re-issued when the run changes, as Airbnb does."""
        return hashlib.sha256(f"{self.key}:{start}:{end}".encode()).hexdigest()[:32]

    def content(self, today: int) -> tuple[ListingEvent, ...]:
        with self.lock:
            return tuple(self.events(today))


def runs_of(nights: Iterable[int]) -> Iterator[Run]:
    """Return the runs of consecutive nights, in order."""
    start = end = None
    for night in sorted(nights):
        if end is not None and night == end:
            end += 1
            continue
        if start is not None and end is not None:
            yield (start, end)
        start, end = night, night + 1
    if start is not None and end is not None:
        yield (start, end)


def dates_of(nights: Iterable[int]) -> str:
    """Return nights as readable runs of dates: ``2027-04-01..2027-04-06, ...``."""
    return ", ".join(f"{day(s)}..{day(e)}" for s, e in runs_of(nights))


def day(ordinal: int) -> date:
    return date.fromordinal(ordinal)
