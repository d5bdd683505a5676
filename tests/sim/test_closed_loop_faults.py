"""Platforms that stop reading the hub's link, or do not apply it, are told; sound ones are not.

Runs ``icalbridge simulate closedloop`` for real (see ``icalbridge.sim.faults``): a tenth
of the listings stop fetching, a tenth fetch and do not apply new nights, a tenth apply
three hours late (within the hub's six-hour grace).
"""

from __future__ import annotations

from typing import Any

import pytest

from icalbridge.sim.run import simulate


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return simulate("closedloop")


@pytest.mark.slow
def test_every_platform_that_stops_reading_is_told_within_its_threshold(
    report: dict[str, Any],
) -> None:
    assert report["faulty_stops_detectable"] == report["faulty_stops"] > 0
    assert report["faulty_stops_detected_within_bound"] == report["faulty_stops_detectable"], (
        report["faults_not_told_examples"]
    )


@pytest.mark.slow
def test_every_platform_that_does_not_apply_is_told_within_its_threshold(
    report: dict[str, Any],
) -> None:
    assert report["faulty_not_applying_detectable"] > 0
    assert (
        report["faulty_not_applying_detected_within_bound"]
        == report["faulty_not_applying_detectable"]
    ), report["faults_not_told_examples"]


@pytest.mark.slow
def test_no_sound_or_late_platform_is_called_not_reading_or_not_applying(
    report: dict[str, Any],
) -> None:
    assert report["faulty_late"] > 0
    assert report["export_false_alarms"] == 0, report["export_false_alarm_examples"]
    assert report["ghost_nights"] == 0 and report["hub_double_bookings"] == 0
