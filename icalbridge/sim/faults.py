"""Platforms that misbehave with the hub's link, and what the hub noticed of them.

Three faults a host meets on real platforms, each given to a few listings from a random
instant after ``after_days``: the platform **stops** fetching the hub's link (the link
was removed there); it fetches and **does not apply** the new nights (its importer is
broken: it still frees nights the hub no longer sends); it applies **late**, ``late_s``
after each fetch (within the hub's grace period, so the hub must not call it "not
applied"). The report counts them, how many the hub told the host about (its
``export_not_fetched`` and ``export_not_applied`` alerts), after how long, and the false
alarms: such alerts on a listing that did nothing of the kind.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from icalbridge.core.export_status import silence_allowed
from icalbridge.sim.measures import percentile

if TYPE_CHECKING:
    from icalbridge.sim.world import World

KINDS = ("stops", "not_applying", "late")
# The hub's own settings in a simulated hub (settings.py defaults).
GRACE_S = 6 * 3600
CHECK_S = 600


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


def detection_report(world: World) -> dict[str, Any]:
    """Return how many faults the hub told the host about, how fast, and its false alarms."""
    from icalbridge.hub.models import Alert, AlertCause

    expected = {
        "stops": AlertCause.EXPORT_NOT_FETCHED,
        "not_applying": AlertCause.EXPORT_NOT_APPLIED,
    }
    key_of = {
        ch: (source, unit)
        for unit, hub_unit in enumerate(world.hub_units)
        for source, ch in hub_unit.channel_of.items()
    }
    first_alert: dict[tuple[tuple[str, int], str], int] = {}
    rows = Alert.objects.filter(cause__in=list(expected.values())).order_by("created_at", "id")
    for channel_id, cause, created_at in rows.values_list("channel_id", "cause", "created_at"):
        told_about = (key_of.get(channel_id, ("?", -1)), str(cause))
        first_alert.setdefault(told_about, world.t_of(created_at))
    report: dict[str, Any] = {}
    examples: list[str] = []
    for kind in KINDS:
        faulty = {k: f for k, f in world.faults.items() if f.kind == kind}
        report[f"faulty_{kind}"] = len(faulty)
        if kind not in expected:
            continue
        detectable = detected = within = 0
        delays: list[float] = []
        for key, fault in faulty.items():
            start = fault.at if kind == "stops" else world.first_unapplied_fetch.get(key)
            bound = _bound_s(world, key[0], kind)
            if start is None or start + bound > world.quiet_end_t:
                continue
            detectable += 1
            told = first_alert.get((key, str(expected[kind])))
            if told is None or told < start:
                examples.append(
                    f"{kind} {key[0]} unit {key[1]} from {world.instant(start):%m-%d %H:%M}: not told"
                )
                continue
            detected += 1
            delays.append(float(told - start))
            within += told - start <= bound
        report[f"faulty_{kind}_detectable"] = detectable
        report[f"faulty_{kind}_detected"] = detected
        report[f"faulty_{kind}_detected_within_bound"] = within
        report[f"faulty_{kind}_detection_p50_s"] = percentile(delays, 0.5)
        report[f"faulty_{kind}_detection_max_s"] = max(delays, default=None)
    false_alarms = [
        f"{cause} on {key[0]} unit {key[1]} ({world.faults[key].kind if key in world.faults else 'sound'})"
        f" at {world.instant(t):%m-%d %H:%M}"
        for (key, cause), t in sorted(first_alert.items(), key=lambda item: item[1])
        if not _is_true_alarm(world, key, cause, expected)
    ]
    report["export_false_alarms"] = len(false_alarms)
    report["export_false_alarm_examples"] = false_alarms[:20]
    report["faults_not_told_examples"] = examples[:20]
    return report


def _is_true_alarm(
    world: World, key: tuple[str, int], cause: str, expected: Mapping[str, str]
) -> bool:
    fault = world.faults.get(key)
    return fault is not None and expected.get(fault.kind) == cause


def _bound_s(world: World, platform: str, kind: str) -> int:
    """Return the longest the hub may take to tell a fault, from its start, by its thresholds."""
    from icalbridge.sim.actions import SKIPPED_POLLS_EVERY_S

    poll = world.poll_interval_of[platform]
    slack = 2 * CHECK_S + int(1.1 * world.interval) + 60
    if kind == "stops":
        return int(silence_allowed(poll).total_seconds()) + slack
    # Fetched a second time one poll later, then the grace period, then an import (or the
    # hourly record of a skipped one) that reads the platform's feed after it.
    return poll + GRACE_S + SKIPPED_POLLS_EVERY_S + slack
