"""The simulation's own process: set the world up, run it against the hub, write the report."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from icalbridge.sim.parts import part_of

if TYPE_CHECKING:
    from icalbridge.sim.scenario import Scenario


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="icalbridge.sim.driver")
    parser.add_argument("scenario")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--every-poll", action="store_true")
    parser.add_argument("--units", type=int)
    parser.add_argument("--days", type=float)
    parser.add_argument("--part", type=int, default=0)
    parser.add_argument("--parts", type=int, default=1)
    args = parser.parse_args(argv)
    # Stopped from outside (another part failed): stop this part's hub on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    from icalbridge import clock
    from icalbridge.sim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    if args.units is not None:
        scenario = replace(scenario, units=args.units)
    if args.days is not None:
        scenario = replace(scenario, days=args.days)
    scenario = part_of(scenario, args.part, args.parts)
    clock_file = Path(os.environ[clock.CLOCK_FILE_VARIABLE])
    clock.set_virtual_now(clock_file, datetime.fromisoformat(scenario.start))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icalbridge.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    report = _simulate(scenario, args.port, clock_file, every_poll=args.every_poll)
    args.report.write_text(json.dumps(report, indent=2, sort_keys=True))
    return 0


def _simulate(
    scenario: Scenario, port: int, clock_file: Path, *, every_poll: bool
) -> dict[str, Any]:
    from icalbridge.sim.actions import Actions
    from icalbridge.sim.hub_data import create_hub_units, ensure_empty_database
    from icalbridge.sim.hub_process import HubProcess
    from icalbridge.sim.platform_servers import PlatformServer
    from icalbridge.sim.report import build_report
    from icalbridge.sim.world import World
    from icalbridge.sim.world_state import Listing

    ensure_empty_database()
    began = time.monotonic()
    listings: dict[tuple[str, int], Listing] = {}
    holder: dict[str, World] = {}
    servers = {}
    for spec in scenario.sources:
        if spec.id == "direct":
            continue
        by_key = {}
        for unit in range(scenario.units):
            listing = Listing(spec.id, unit, f"{spec.id}-{unit}")
            listing.merges_blocks = spec.merges_blocks and spec.imports_hub
            listings[(spec.id, unit)] = listing
            by_key[listing.key] = listing
        servers[spec.id] = PlatformServer(
            spec.id,
            by_key,
            now=lambda: holder["world"].instant(holder["world"].t),
            today=lambda: holder["world"].today(),
        )
    start = datetime.fromisoformat(scenario.start)
    hub_units = create_hub_units(scenario, {k: s.url for k, s in servers.items()}, start)
    hub = HubProcess(port, clock_file)
    try:
        hub.start()
        world = World(scenario, hub, listings, hub_units, every_poll=every_poll)
        holder["world"] = world
        actions = Actions(world)
        actions.schedule_beginning()
        world.run()
        return build_report(world, time.monotonic() - began)
    finally:
        hub.stop()
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
