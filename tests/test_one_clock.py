"""One clock: the hub asks ``icalbridge.clock`` what time it is, so a simulation can move it.

A direct read of the machine's clock in the web pages, the API or the worker shows a host a
state that the virtual clock (``ICALBRIDGE_CLOCK_FILE``) did not make: a channel "late" or a
booking "not read yet" in the end-to-end tests that move time. The exceptions are the ones
``icalbridge/clock.py`` names, for the reasons it gives.
"""

from __future__ import annotations

import ast
from pathlib import Path

import icalbridge

PACKAGE = Path(icalbridge.__file__).parent
CLOCK_READS = frozenset({"now", "utcnow", "today"})
# Modules allowed to read the machine's clock, each named with its reason in clock.py;
# the simulator's platforms run on the world's own clock, not the hub's.
MACHINE_CLOCK_ALLOWED = frozenset(
    {"clock.py", "login_lockout.py", "commands/backup.py", "inspect.py"}
)


def machine_clock_reads(source: str) -> list[int]:
    """Return the lines that read the machine's date or time directly."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in CLOCK_READS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in {"timezone", "datetime", "date"}
        ):
            lines.append(node.lineno)
    return lines


def test_the_finder_sees_each_way_of_reading_the_machine_clock() -> None:
    source = "a = timezone.now()\nb = datetime.now(UTC)\nc = date.today()\nd = clock.now()\n"
    assert machine_clock_reads(source) == [1, 2, 3]


def test_the_hub_reads_the_time_only_through_its_clock() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in MACHINE_CLOCK_ALLOWED or relative.startswith(("sim/", "core/")):
            continue
        found += [f"{relative}:{line}" for line in machine_clock_reads(path.read_text())]
    assert found == [], "read icalbridge.clock.now() instead: " + ", ".join(found)
