"""A world run in parts reports as the whole world: counts add up, delays merge exactly."""

from __future__ import annotations

from typing import Any

from icalbridge.sim.parts import DELAYS_KEY, merge_reports, part_of
from icalbridge.sim.run import simulate
from icalbridge.sim.scenario import load_scenario


def part_report(units: int, ghosts: int, delays: list[float], longest: float) -> dict[str, Any]:
    return {
        "scenario": "long",
        "units": units,
        "ghost_nights": ghosts,
        "ghost_examples": [f"{ghosts} ghosts"],
        "propagation_p50_s": 0.0,
        "propagation_max_s": longest,
        "wall_s_by_event": {"hub": 1.5, "poll": 0.5},
        DELAYS_KEY: {"propagation": delays},
    }


def test_the_parts_of_a_world_share_its_units_and_draw_their_own_guests() -> None:
    scenario = load_scenario("long")
    parts = [part_of(scenario, k, 3) for k in range(3)]

    assert sum(p.units for p in parts) == scenario.units
    assert max(p.units for p in parts) - min(p.units for p in parts) <= 1
    assert parts[0].seed == scenario.seed
    assert len({p.seed for p in parts}) == 3


def test_merged_reports_add_counts_and_take_percentiles_over_every_delay() -> None:
    merged = merge_reports(
        [
            part_report(3, 0, [10.0, 20.0, 30.0], 30.0),
            part_report(2, 1, [900.0, 1000.0], 1000.0),
        ]
    )

    assert merged["scenario"] == "long"
    assert (merged["units"], merged["ghost_nights"], merged["parts"]) == (5, 1, 2)
    assert merged["propagation_p50_s"] == 30.0
    assert merged["propagation_p99_s"] == 1000.0
    assert merged["propagation_max_s"] == 1000.0
    assert merged["ghost_examples"] == ["part 0: 0 ghosts", "part 1: 1 ghosts"]
    assert merged["wall_s_by_event"] == {"hub": 3.0, "poll": 1.0}


def test_a_world_run_in_two_parts_reports_both_parts() -> None:
    report = simulate("tiny", units=2, parts=2)

    assert (report["units"], report["parts"]) == (2, 2)
    assert DELAYS_KEY not in report
    assert report["bookings_made"] > 0
    assert report["ghost_nights"] == 0 and report["loops"] == 0
    assert report["changes_never_in_hub_exports"] == 0
