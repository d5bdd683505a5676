"""A simulation scenario: which platforms, how often they poll, how busy the guests are."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

SCENARIOS_DIR = Path(__file__).resolve().parent / "scenarios"
IMPORTING_PLATFORMS = frozenset({"airbnb", "booking", "abritel"})
SOURCES = frozenset({*IMPORTING_PLATFORMS, "google", "direct"})


@dataclass(frozen=True)
class SourceSpec:
    """One place where bookings and owner blocks are made.

    ``airbnb``, ``booking`` and ``abritel`` are platforms that also import the hub's feed
    every ``poll_interval_s``; ``google`` is the host's own agenda (timed events, exported
    only); ``direct`` is the host entering bookings in the hub itself. A platform that
    ``merges_blocks`` exports each run of closed nights as one block, whatever closed
    them (the host, or dates imported from the hub).
    """

    id: str
    poll_interval_s: int = 0
    bookings_per_week: float = 0.0
    owner_blocks_per_month: float = 0.0
    cancel_share: float = 0.1
    change_share: float = 0.05
    unblock_share: float = 0.5
    merges_blocks: bool = True

    @property
    def imports_hub(self) -> bool:
        return self.id in IMPORTING_PLATFORMS


@dataclass(frozen=True)
class Scenario:
    """A whole simulated world; ``days`` of guests, then a quiet period with no event."""

    name: str
    units: int
    days: float
    seed: int
    hub_poll_interval_s: int
    sources: tuple[SourceSpec, ...]
    start: str = "2027-03-01T00:00:00+00:00"
    lead_days_max: int = 120
    booking_window_days: int = 300
    quiet_hours: float | None = None
    # Listings that misbehave with the hub's link (``sim.faults``): the share of listings
    # that stop fetching, do not apply, apply late; from when; how late.
    faults: dict[str, float] = field(default_factory=dict)

    @property
    def importing(self) -> tuple[SourceSpec, ...]:
        return tuple(s for s in self.sources if s.imports_hub)

    @property
    def settle_s(self) -> int:
        """Return how long the world is left alone before feeds are watched for loops."""
        if self.quiet_hours is not None:
            return int(self.quiet_hours * 3600) // 2
        longest = max((s.poll_interval_s for s in self.importing), default=3600)
        return 2 * longest + 2 * self.hub_poll_interval_s + 3600


def load_scenario(name_or_path: str) -> Scenario:
    """Read a scenario from a JSON file, or by name from the bundled scenarios."""
    path = Path(name_or_path)
    if not path.exists():
        path = SCENARIOS_DIR / (name_or_path.removesuffix(".json") + ".json")
    raw = json.loads(path.read_text())
    sources = tuple(SourceSpec(**s) for s in raw.pop("sources"))
    unknown = {s.id for s in sources} - SOURCES
    if unknown:
        raise ValueError(f"unknown sources {sorted(unknown)}; choose from {sorted(SOURCES)}")
    return Scenario(sources=sources, **raw)
