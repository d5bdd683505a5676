"""What the simulation measures while it runs: propagation, double bookings, loops."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Change:
    """A booking or block made, moved or removed somewhere, followed until all show it."""

    at: int
    unit: int
    source: str
    nights: frozenset[int]
    platforms_left: set[str]
    hub_at: int | None = None
    everywhere_at: int | None = None
    traced: bool = False


@dataclass
class DoubleBooking:
    """Two real reservations of different sources on the same nights of a unit.

    ``booked_at`` is when the second was made (or moved there) on ``source``;
    ``view_at`` is when that source last read the hub (its last fetch, or now for the
    host booking in the hub itself); ``first_since`` is when the first got those dates.
    """

    second_id: int
    first_id: int
    source: str
    booked_at: int
    view_at: int | None
    first_since: int
    first_source: str
    ended_at: int | None = None


# (unit, platform) -> nights that platform's export should carry / a feed carries.
Expected = Callable[[int, str], set[int]]


@dataclass
class Measures:
    changes: list[Change] = field(default_factory=list)
    pending: dict[int, list[Change]] = field(default_factory=lambda: defaultdict(list))
    double_bookings: list[DoubleBooking] = field(default_factory=list)
    feed_states: dict[str, set[tuple[int, ...]]] = field(default_factory=lambda: defaultdict(set))
    observing_from: int | None = None

    def record_change(self, change: Change) -> None:
        self.changes.append(change)
        self.pending[change.unit].append(change)

    def check_hub(
        self, unit: int, now: int, exports: dict[str, set[int]], expected: Expected
    ) -> None:
        """Mark the unit's changes the hub's exports now reflect, for every platform."""
        for change in self.pending.get(unit, []):
            if change.hub_at is None and all(
                (exports.get(p, set()) & change.nights) == (expected(unit, p) & change.nights)
                for p in exports
            ):
                change.hub_at = now
                if not change.platforms_left:
                    # Every platform that imports it is faulty (``sim.faults``): none to wait for.
                    change.everywhere_at = now
        self._drop_done(unit)

    def check_platform(
        self, unit: int, platform: str, now: int, nights: frozenset[int], expected: Expected
    ) -> None:
        """Mark the unit's changes a platform's calendar now reflects, after its fetch."""
        for change in self.pending.get(unit, []):
            if platform in change.platforms_left and (nights & change.nights) == (
                expected(unit, platform) & change.nights
            ):
                change.platforms_left.discard(platform)
                if not change.platforms_left:
                    change.everywhere_at = now
        self._drop_done(unit)

    def _drop_done(self, unit: int) -> None:
        self.pending[unit] = [
            c for c in self.pending[unit] if c.hub_at is None or c.everywhere_at is None
        ]

    def observe_feed(self, name: str, now: int, state: tuple[int, ...]) -> None:
        """Remember a feed's state during the observation window (loops show as many states)."""
        if self.observing_from is not None and now >= self.observing_from:
            self.feed_states[name].add(state)

    def looping_feeds(self) -> list[str]:
        return sorted(name for name, states in self.feed_states.items() if len(states) > 1)


def percentile(values: list[float], share: float) -> float | None:
    """Return the nearest-rank percentile, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(-(-share * len(ordered) // 1)) - 1))
    return ordered[rank]
