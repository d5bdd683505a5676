"""Read feeds with Mozilla's ical.js under node, as Thunderbird reads them."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

JS_DIR = Path(__file__).resolve().parent.parent / "js"
SCRIPT = JS_DIR / "parse_with_icaljs.mjs"
NODE_TIMEOUT_SECONDS = 60


def parse_with_icaljs(data: bytes) -> list[dict[str, Any]]:
    """Return the events ical.js reads in one feed; fail the test when it cannot parse it."""
    return parse_many_with_icaljs([data])[0]


def parse_many_with_icaljs(feeds: Sequence[bytes]) -> list[list[dict[str, Any]]]:
    """Return the events ical.js reads in each feed, starting node only once."""
    return [r["events"] for r in _results_of(feeds)]


def calendar_properties_with_icaljs(data: bytes) -> dict[str, str | None]:
    """Return the calendar's name, method and refresh interval as ical.js reads them."""
    calendar: dict[str, str | None] = _results_of([data])[0]["calendar"]
    return calendar


def _results_of(feeds: Sequence[bytes]) -> list[dict[str, Any]]:
    node = _node_or_skip()
    texts = [feed.decode("utf-8") for feed in feeds]
    completed = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(texts).encode("utf-8"),
        capture_output=True,
        cwd=JS_DIR,
        timeout=NODE_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(f"node failed: {completed.stderr.decode('utf-8', 'replace')}")
    results = json.loads(completed.stdout)
    errors = [(i, r["error"]) for i, r in enumerate(results) if "error" in r]
    if errors:
        index, message = errors[0]
        pytest.fail(f"ical.js rejected feed {index}: {message}\n{texts[index]}")
    return list(results)


def _node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        reason = "node is not installed, so feeds cannot be checked with ical.js"
    elif not (JS_DIR / "node_modules" / "ical.js").is_dir():
        reason = "ical.js is not installed in tests/js: run scripts/install-test-tools"
    else:
        return node
    if IN_CI:
        pytest.fail(f"{reason} (mandatory under CI=true)")
    pytest.skip(reason)
