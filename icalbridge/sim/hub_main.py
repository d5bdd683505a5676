"""Start the hub for a simulation, optionally with one part of the engine switched off.

``ICALBRIDGE_SIM_BREAK=echoes`` makes the worker take every echo for a real block (rule
8 off). It exists only so that a test can show the simulation catches what echo
detection prevents; the engine's code is untouched, the switch is applied here.
"""

from __future__ import annotations

import os
import sys

from icalbridge import cli

# Set in the hub's environment to run it with a part of the engine switched off, so that
# a test can show the simulation sees what that part prevents.
BREAK_VARIABLE = "ICALBRIDGE_SIM_BREAK"


def disable_echo_detection() -> None:
    """Make the importer see no echo at all."""
    from icalbridge.sync import booking_changes, importer

    importer.echo_keys = lambda events, served, stay: frozenset()  # type: ignore[assignment]
    booking_changes.is_echo = lambda event, served, stay: False  # type: ignore[assignment]


def main() -> int:
    cli.setup_django()
    if os.environ.get(BREAK_VARIABLE) == "echoes":
        disable_echo_detection()
    return cli.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
