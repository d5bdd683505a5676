"""Start the hub for a simulation, optionally with one part of the engine switched off.

``ICALBRIDGE_SIM_BREAK=echoes`` makes the worker take every echo for a real block (rule
8 off). It exists only so that a test can show the simulation catches what echo
detection prevents; the engine's code is untouched, the switch is applied here.

It wraps the ``icalbridge`` command, of which the simulator is a sub-command: it sits
beside ``cli.py``, not in ``sim/``, which starts it as a program and never imports it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from icalbridge import cli
from icalbridge.sim.hub_variables import BREAK_VARIABLE, PARENT_VARIABLE


def stop_when_orphaned() -> None:
    """Stop this hub (SIGTERM, as a clean stop) if the simulation that started it dies.

    The hub runs in a session of its own, so nothing else would stop it: it would go on
    polling a clock file that is gone.
    """
    # Read from the environment, not from getppid() here: the parent may already be gone.
    parent = int(os.environ.get(PARENT_VARIABLE, os.getppid()))

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def main() -> int:
    if os.environ.get(BREAK_VARIABLE) == "echoes":
        # The importer passes this switch to the echo rule (core.echoes.judge_echoes).
        os.environ["ICALBRIDGE_ECHO_DETECTION"] = "0"
    cli.setup_django()
    stop_when_orphaned()
    return cli.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
