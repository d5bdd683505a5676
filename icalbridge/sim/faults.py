"""Platforms that misbehave with the hub's link.

Three faults a host meets on real platforms, each given to a few listings from a random
instant after ``after_days``: the platform **stops** fetching the hub's link (the link
was removed there); it fetches and **does not apply** the new nights (its importer is
broken: it still frees nights the hub no longer sends); it applies **late**, ``late_s``
after each fetch (within the hub's grace period, so the hub must not call it "not
applied"). What the hub noticed of them is counted in ``sim.fault_detection``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

KINDS = ("stops", "not_applying", "late")


@dataclass(frozen=True)
class Fault:
    kind: str
    at: int
    late_s: int = 0


def draw_faults(
    spec: Mapping[str, float], listings: list[tuple[str, int]], seed: int
) -> dict[tuple[str, int], Fault]:
    """Give each kind of fault to its share of the listings (at least one when asked)."""
    rng = random.Random(seed + 7)
    pool = sorted(listings)
    rng.shuffle(pool)
    faults: dict[tuple[str, int], Fault] = {}
    after = float(spec.get("after_days", 1.0)) * 86400
    for kind in KINDS:
        share = float(spec.get(kind, 0.0))
        if share <= 0:
            continue
        count = max(1, round(share * len(listings)))
        for key in pool[:count]:
            late_s = int(spec.get("late_apply_s", 3 * 3600)) if kind == "late" else 0
            faults[key] = Fault(kind, int(after + rng.uniform(0, 86400)), late_s)
        pool = pool[count:]
    return faults
