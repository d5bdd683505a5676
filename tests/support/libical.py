"""Read feeds with libical (what GNOME and Evolution use), through Debian's python3-gi.

The project's virtual environment has no GObject bindings, so the feed is read by the
system Python (/usr/bin/python3) with gir1.2-ical-3.0, both installed by
scripts/install-test-tools.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

SYSTEM_PYTHON = Path("/usr/bin/python3")
TIMEOUT_SECONDS = 60
_READER = r"""
import json, sys
import gi
gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as I

def text(prop):
    if prop.get_property_name().startswith("X-"):
        return prop.get_x()
    return prop.get_value().as_ical_string() if prop.get_value() is not None else None

def properties(component):
    found = {}
    prop = component.get_first_property(I.PropertyKind.ANY_PROPERTY)
    while prop is not None:
        found.setdefault(prop.get_property_name(), []).append(text(prop))
        prop = component.get_next_property(I.PropertyKind.ANY_PROPERTY)
    return found

calendar = I.Component.new_from_string(sys.stdin.read())
if calendar is None:
    print(json.dumps({"error": "libical could not parse the feed"}))
    sys.exit(0)
events = []
event = calendar.get_first_component(I.ComponentKind.VEVENT_COMPONENT)
while event is not None:
    events.append(
        {
            "uid": event.get_uid(),
            "summary": event.get_summary(),
            "start": event.get_dtstart().as_ical_string(),
            "end": event.get_dtend().as_ical_string(),
            "errors": properties(event).get("X-LIC-ERROR", []),
        }
    )
    event = calendar.get_next_component(I.ComponentKind.VEVENT_COMPONENT)
calendar.check_restrictions()
print(json.dumps({
    "calendar": properties(calendar),
    "events": events,
    "errors": calendar.count_errors(),
    "checked": calendar.as_ical_string(),
}))
"""


def read_with_libical(data: bytes) -> dict[str, Any]:
    """Return what libical reads in a feed: calendar properties, events and its error count.

    ``errors`` counts what libical's parser and its RFC 5546 restriction check flag
    (X-LIC-ERROR properties); ``checked`` is the feed as libical writes it back, errors in.
    """
    _libical_or_skip()
    completed = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", _READER],
        input=data,
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(f"libical failed: {completed.stderr.decode('utf-8', 'replace')}")
    result: dict[str, Any] = json.loads(completed.stdout)
    if "error" in result:
        pytest.fail(result["error"])
    return result


def _libical_or_skip() -> None:
    probe = 'import gi; gi.require_version("ICalGLib", "3.0"); from gi.repository import ICalGLib'
    if not SYSTEM_PYTHON.is_file():
        reason = f"{SYSTEM_PYTHON} is absent, so feeds cannot be checked with libical"
    elif subprocess.run([str(SYSTEM_PYTHON), "-c", probe], capture_output=True).returncode:
        reason = "libical's GObject bindings are missing: run scripts/install-test-tools as root"
    else:
        return
    if IN_CI:
        pytest.fail(f"{reason} (mandatory under CI=true)")
    pytest.skip(reason)
