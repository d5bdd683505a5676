"""What the hub noticed of the platforms that misbehave with its link (``sim.faults``).

The report counts the faults, how many the hub told the host about (its
``export_not_fetched`` and ``export_not_applied`` alerts), after how long, and the false
alarms: such alerts on a listing that did nothing of the kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from icalbridge.core.export_status import silence_allowed
from icalbridge.hub.models import Alert, AlertCause
from icalbridge.sim.actions import SKIPPED_POLLS_EVERY_S
from icalbridge.sim.faults import KINDS
from icalbridge.sim.measures import percentile
from icalbridge.sim.parts import DELAYS_KEY

if TYPE_CHECKING:
    from icalbridge.sim.world import World

# The hub's own settings in a simulated hub (settings.py defaults).
GRACE_S = 6 * 3600
CHECK_S = 600


def detection_report(world: World) -> dict[str, Any]:
    """Return how many faults the hub told the host about, how fast, and its false alarms."""
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
        # Every delay, so that the reports of a world run in parts can be merged exactly.
        report.setdefault(DELAYS_KEY, {})[f"faulty_{kind}_detection"] = delays
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
    poll = world.poll_interval_of[platform]
    slack = 2 * CHECK_S + int(1.1 * world.interval) + 60
    if kind == "stops":
        return int(silence_allowed(poll).total_seconds()) + slack
    # Fetched a second time one poll later, then the grace period, then an import (or the
    # hourly record of a skipped one) that reads the platform's feed after it.
    return poll + GRACE_S + SKIPPED_POLLS_EVERY_S + slack
