"""Without echo detection, the simulated world shows dates that never free.

The simulation must see what echo detection prevents, or its zero ghost nights prove nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from icalbridge.sim.hub_variables import BREAK_VARIABLE
from icalbridge.sim.run import simulate

# Without echo detection, dates that never free show within days in a few units: 4 units
# for 14 days gave 42 ghost nights and 52 false double-booking alerts (0 and 0 with it);
# the default world's 400 unit-days only show more of the same.
BROKEN_UNITS, BROKEN_DAYS = 4, 14


@pytest.fixture(scope="module")
def report_without_echo_detection() -> Iterator[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(BREAK_VARIABLE, "echoes")
        yield simulate("default", units=BROKEN_UNITS, days=BROKEN_DAYS)


@pytest.mark.slow
def test_without_echo_detection_the_simulation_sees_dates_that_never_free(
    report_without_echo_detection: dict[str, Any],
) -> None:
    broken = report_without_echo_detection
    assert broken["ghost_nights"] > 0 or broken["loops"] > 0
    # Each change left waiting is traced: the export that carries nights it should not.
    traces = broken["late_change_traces"]
    assert traces
    assert any(off["extra"] for trace in traces for off in trace["exports_off"].values()), traces[0]
