"""A world run in parts reports as the whole world: counts add up, delays merge exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from icalbridge.sim.parts import DELAYS_KEY, merge_reports, part_of
from icalbridge.sim.run import simulate
from icalbridge.sim.scenario import load_scenario


def part_report(
    units: int, ghosts: int, delays: list[float], longest: float, alerts: dict[str, int]
) -> dict[str, Any]:
    return {
        "scenario": "long",
        "units": units,
        "ghost_nights": ghosts,
        "ghost_examples": [f"{ghosts} ghosts"],
        "late_change_traces": [{"change": f"{units} units"}],
        "propagation_p50_s": 0.0,
        "propagation_max_s": longest,
        "wall_s_by_event": {"hub": 1.5, "poll": 0.5},
        "hub_alerts": alerts,
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
            part_report(3, 0, [10.0, 20.0, 30.0], 30.0, {}),
            part_report(2, 1, [900.0, 1000.0], 1000.0, {"double_booking": 2}),
        ]
    )

    assert merged["scenario"] == "long"
    assert (merged["units"], merged["ghost_nights"], merged["parts"]) == (5, 1, 2)
    assert merged["propagation_p50_s"] == 30.0
    assert merged["propagation_p99_s"] == 1000.0
    assert merged["propagation_max_s"] == 1000.0
    assert merged["ghost_examples"] == ["part 0: 0 ghosts", "part 1: 1 ghosts"]
    assert merged["late_change_traces"] == [
        {"part": 0, "change": "3 units"},
        {"part": 1, "change": "2 units"},
    ]
    assert merged["wall_s_by_event"] == {"hub": 3.0, "poll": 1.0}
    assert merged["hub_alerts"] == {"double_booking": 2}


def test_merged_reports_take_the_median_detection_delay_over_every_part() -> None:
    # A median is not a sum: two parts that told platforms' faults after 10 to 30 h and
    # 2 to 4 h must merge into a median within those, never past the longest.
    hours = 3600.0
    parts = [
        {
            "faulty_stops_detection_p50_s": 20 * hours,
            "faulty_stops_detection_max_s": 30 * hours,
            DELAYS_KEY: {"faulty_stops_detection": [10 * hours, 20 * hours, 30 * hours]},
        },
        {
            "faulty_stops_detection_p50_s": 3 * hours,
            "faulty_stops_detection_max_s": 4 * hours,
            DELAYS_KEY: {"faulty_stops_detection": [2 * hours, 3 * hours, 4 * hours]},
        },
    ]
    merged = merge_reports(parts)
    assert merged["faulty_stops_detection_p50_s"] == 4 * hours
    assert merged["faulty_stops_detection_max_s"] == 30 * hours


def test_parts_whose_reports_differ_merge_their_examples_and_refuse_unequal_counts() -> None:
    older = part_report(3, 0, [10.0], 10.0, {})
    del older["late_change_traces"]
    newer = part_report(2, 1, [20.0], 20.0, {})

    assert merge_reports([older, newer])["late_change_traces"] == [{"part": 1, "change": "2 units"}]
    del newer["ghost_nights"]
    with pytest.raises(ValueError, match="ghost_nights"):
        merge_reports([older, newer])


def test_a_world_run_in_two_parts_reports_both_parts() -> None:
    report = simulate("tiny", units=2, parts=2)

    assert (report["units"], report["parts"]) == (2, 2)
    assert DELAYS_KEY not in report
    assert report["bookings_made"] > 0
    assert report["ghost_nights"] == 0 and report["loops"] == 0
    assert report["changes_never_in_hub_exports"] == 0


def children_of(pid: int, marker: str) -> list[int]:
    """Return the processes ``pid`` started whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and marker in command:
            found.append(int(entry.name))
    return found


def wait_for(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_when_a_part_dies_the_simulation_fails_at_once_and_leaves_no_hub_running(
    tmp_path: Path,
) -> None:
    command = [sys.executable, "-m", "icalbridge.cli", "simulate", "tiny"]
    command += ["--units", "2", "--days", "60", "--parts", "2"]
    # A file, not a pipe: the hubs inherit it, and a pipe would stay open while they stop.
    log = tmp_path / "stderr"
    with log.open("wb") as stderr:
        simulation = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        assert wait_for(lambda: len(children_of(simulation.pid, "sim.driver")) == 2, 60)
        drivers = children_of(simulation.pid, "sim.driver")
        assert wait_for(lambda: all(children_of(d, "icalbridge.sim_hub") for d in drivers), 60)
        hubs = [h for d in drivers for h in children_of(d, "icalbridge.sim_hub")]

        os.kill(drivers[1], signal.SIGKILL)

        # The whole world would take minutes; the other part stops as soon as its hub has
        # (a hub may take its web server's grace period to finish a request).
        assert simulation.wait(timeout=90) != 0
        assert b"part 1 of the simulation failed" in log.read_bytes()
        assert wait_for(lambda: not any(is_running(h) for h in hubs), 60)
    finally:
        if simulation.poll() is None:
            simulation.kill()


def test_parts_run_one_at_a_time_merge_into_the_whole_world(tmp_path: Path) -> None:
    files = []
    for part in (0, 1):
        report = simulate("tiny", units=2, parts=2, only_part=part)
        assert (report["units"], report["part"], report["parts"]) == (1, part, 2)
        assert DELAYS_KEY in report
        files.append(tmp_path / f"part-{part}.json")
        files[-1].write_text(json.dumps(report))
    merge = [sys.executable, "-m", "icalbridge.cli", "simulate-merge"]

    merged = json.loads(
        subprocess.run([*merge, *map(str, files)], check=True, capture_output=True).stdout
    )
    alone = subprocess.run([*merge, str(files[1])], capture_output=True, text=True)

    assert (merged["units"], merged["parts"]) == (2, 2)
    assert "part" not in merged and DELAYS_KEY not in merged
    assert merged["ghost_nights"] == 0 and merged["loops"] == 0
    assert alone.returncode != 0 and "give every part's report once" in alone.stderr
