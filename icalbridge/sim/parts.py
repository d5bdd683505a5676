"""A world run in parts: units split over several hubs at once, their reports merged.

Units never share a guest, a booking or a feed, so a world of N units is the union of the
worlds of its parts, and the parts can run side by side, each against a hub of its own,
to use every core of the machine. Counts add up; delays are merged from every part's
individual delays, so the percentiles are those of the whole world.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from icalbridge.sim.measures import percentile
from icalbridge.sim.scenario import Scenario

# The report's key for the individual delays, removed once the percentiles are made.
DELAYS_KEY = "_delays_s"
_SAME_IN_EVERY_PART = frozenset(
    {"scenario", "days", "sources", "hub_poll_interval_s", "platform_poll_interval_s", "mode"}
)
_EXAMPLES_KEPT = 20


def part_of(scenario: Scenario, part: int, parts: int) -> Scenario:
    """Return the world of one part: its share of the units, and guests of its own.

    Each part draws from its own seed; part 0 keeps the scenario's, so a world run in one
    part is the scenario itself.
    """
    units = scenario.units // parts + (1 if part < scenario.units % parts else 0)
    return replace(scenario, units=units, seed=scenario.seed + part)


def merge_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the report of the whole world from the reports of its parts (in part order)."""
    merged: dict[str, Any] = {}
    for key in dict.fromkeys(k for r in reports for k in r):
        if key == "part":
            continue
        first = next(r[key] for r in reports if key in r)
        if isinstance(first, list):
            # Lists of examples a part run by an older version did not keep yet.
            values = [r.get(key, []) for r in reports]
        elif all(key in r for r in reports):
            values = [r[key] for r in reports]
        else:
            raise ValueError(f"only some parts report {key!r}: they cannot be merged")
        if key in _SAME_IN_EVERY_PART:
            merged[key] = first
        elif key == DELAYS_KEY:
            merged[key] = {name: [d for v in values for d in v[name]] for name in first}
        elif isinstance(first, list):
            merged[key] = [_in_part(part, item) for part, v in enumerate(values) for item in v][
                :_EXAMPLES_KEPT
            ]
        elif isinstance(first, dict):
            names = sorted({k for v in values for k in v})
            merged[key] = {k: round(sum(v.get(k, 0) for v in values), 1) for k in names}
        elif key.endswith("_max_s"):
            merged[key] = max((v for v in values if v is not None), default=None)
        elif isinstance(first, (int, float)) or first is None:
            merged[key] = round(sum(v or 0 for v in values), 1)
    for name, delays in merged.get(DELAYS_KEY, {}).items():
        for share in (50, 95, 99):
            merged[f"{name}_p{share}_s"] = percentile(delays, share / 100)
    merged["parts"] = len(reports)
    return merged


def _in_part(part: int, example: Any) -> Any:
    """Return an example of a part's report, saying which part it comes from."""
    if isinstance(example, dict):
        return {"part": part, **example}
    return f"part {part}: {example}"
