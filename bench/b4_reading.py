"""B4: reading feeds with our reader vs a plain icalendar parse and walk vs ics-py.

Run: .venv/bin/python -m bench.b4_reading [--sizes 50 1000 20000]
ics-py is for this comparison only: install it apart from the project, e.g.
``.venv/bin/pip install --target /tmp/bench-tools/ics ics`` and pass ``--ics-path``
(its python-dateutil 4 must not replace the project's).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from icalendar import Calendar

from bench.support import airbnb_style_feed, google_style_feed, load_average, print_header
from icalbridge.core.ics_read import ReadOptions, read_feed

TODAY = date(2026, 11, 21)


def read_with_reader(data: bytes) -> int:
    return len(read_feed(data, ReadOptions(today=TODAY)).events)


def read_with_icalendar(data: bytes) -> int:
    return sum(1 for _ in Calendar.from_ical(data).walk("VEVENT"))


def read_with_ics_py(data: bytes) -> int:
    import ics

    return len(ics.Calendar(data.decode()).events)


def best_time_s(read: Callable[[bytes], int], data: bytes, budget_s: float) -> tuple[float, int]:
    """Return the fastest of several reads (CPU seconds) within a time budget, and the count."""
    best, count, spent = float("inf"), 0, 0.0
    for _ in range(20):
        gc.collect()
        started = time.process_time()
        count = read(data)
        elapsed = time.process_time() - started
        best, spent = min(best, elapsed), spent + elapsed
        if spent > budget_s:
            break
    return best, count


def feeds(sizes: list[int]) -> list[tuple[str, bytes]]:
    made = []
    for size in sizes:
        made.append((f"airbnb-style {size}", airbnb_style_feed(size, seed=size, today=TODAY)))
        made.append((f"google-style {size}", google_style_feed(size, seed=size, today=TODAY)))
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 1000, 20_000])
    parser.add_argument("--budget-s", type=float, default=3.0, help="CPU time per reader and feed")
    parser.add_argument(
        "--ics-max-events", type=int, default=1000, help="larger feeds take ics-py minutes"
    )
    parser.add_argument("--ics-path", type=Path, default=Path("/tmp/bench-tools/ics"))
    args = parser.parse_args()
    # Appended, not prepended: the project's own icalendar and dateutil stay in use.
    sys.path.append(str(args.ics_path))
    readers: dict[str, Callable[[bytes], int]] = {
        "reader": read_with_reader,
        "icalendar": read_with_icalendar,
    }
    try:
        import ics  # noqa: F401

        readers["ics-py"] = read_with_ics_py
    except ImportError:
        print("# ics-py is not installed: its column is left out")
    print_header("B4 reading")
    print("# fastest of up to 20 reads (process CPU time); ratio = reader / icalendar")
    for name, data in feeds(args.sizes):
        times = {}
        counts = {}
        for reader, read in readers.items():
            if reader == "ics-py" and data.count(b"BEGIN:VEVENT") > args.ics_max_events:
                continue
            times[reader], counts[reader] = best_time_s(read, data, args.budget_s)
        cells = "  ".join(f"{r} {1000 * t:9.1f} ms ({counts[r]} ev)" for r, t in times.items())
        ratio = times["reader"] / times["icalendar"]
        print(
            f"{name:22s} {len(data) / 1024:8.0f} KiB  {cells}  ratio {ratio:4.2f}"
            f"  load {load_average()}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
