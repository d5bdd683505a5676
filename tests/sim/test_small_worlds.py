"""Small simulated worlds, each built to show one thing: contention, skipped polls, DST."""

from __future__ import annotations

import json
from pathlib import Path

from icalbridge.sim.run import simulate
from icalbridge.sim.scenario import load_scenario


def test_where_guests_fight_for_the_last_nights_every_double_booking_is_a_conflict() -> None:
    report = simulate("contention")
    assert report["double_bookings"] > 0
    assert report["hub_double_bookings"] == 0
    assert report["conflicts_recorded"] == report["conflicts"] > 0
    assert report["conflicts_alerted"] == report["conflicts"], report["conflicts_not_alerted"]
    assert report["conflicts_resolved_while_still_double_booked"] == 0
    assert report["hub_conflicts_without_double_booking"] == 0
    assert report["ghost_nights"] == 0 and report["loops"] == 0


def test_skipping_unchanged_polls_reports_what_every_poll_reports() -> None:
    lean = simulate("tiny")
    full = simulate("tiny", every_poll=True)
    assert full["hub_polls_skipped_unchanged"] == 0
    assert full["hub_imports"] > 2 * lean["hub_imports"]
    for figure in (
        "bookings_made",
        "owner_blocks_made",
        "changes",
        "ghost_nights",
        "missing_nights",
        "loops",
        "double_bookings",
        "hub_double_bookings",
        "conflicts_alerted",
        "hub_conflict_rows",
        "changes_never_in_hub_exports",
        "platform_fetches",
        "hub_alerts",
    ):
        assert lean[figure] == full[figure], figure
    # Delays differ only by the jitter of the polls skipped (drawn by the simulation, not
    # by the hub): both stay within one poll of the change.
    for report in (lean, full):
        assert report["propagation_p99_s"] <= load_scenario("tiny").hub_poll_interval_s * 1.1 + 60


def test_a_day_of_25_hours_raises_no_stale_alert(tmp_path: Path) -> None:
    # The night clocks go back in Paris lasts 25 hours: feeds resting through it are still
    # read every poll, and must not look a day old to the hub. Every resting feed is
    # concerned: with the skipped polls' success recorded at midnight (the fault this test
    # found), 5 units raised 4 stale alerts (20 units raised 14).
    busy = {"bookings_per_week": 3, "owner_blocks_per_month": 2}
    scenario = tmp_path / "autumn.json"
    scenario.write_text(
        json.dumps(
            {
                "name": "autumn",
                "units": 5,
                "days": 2,
                "seed": 1,
                "start": "2027-10-30T12:00:00+02:00",
                "hub_poll_interval_s": 900,
                "sources": [
                    {"id": "airbnb", "poll_interval_s": 10800, **busy},
                    {"id": "booking", "poll_interval_s": 7200, **busy},
                    {"id": "abritel", "poll_interval_s": 3600, **busy},
                    {"id": "google", **busy},
                ],
            }
        )
    )
    report = simulate(str(scenario))
    assert "stale" not in report["hub_alerts"], report["hub_alerts"]
