"""Cut a rendered feed into one calendar resource per event, as CalDAV stores them.

A CalDAV calendar holds each event as its own resource (RFC 4791 section 4.1: one UID per
resource). The resources are cut from the feed's own bytes, so what a pushed calendar
holds is exactly what the subscribed link serves: the same UIDs, SEQUENCE and
LAST-MODIFIED, the same words.
"""

from __future__ import annotations

import hashlib
import re

# The calendar's own properties a resource keeps; the feed's name and refresh hints
# describe the subscription, not one event.
_KEPT_CALENDAR_PROPERTIES = ("VERSION", "PRODID", "CALSCALE")
_FOLD = re.compile(r"\r\n[ \t]")


def event_resources(feed: bytes) -> dict[str, bytes]:
    """Return each event of a rendered feed as a one-event VCALENDAR, by UID."""
    text = feed.decode("utf-8")
    lines = text.split("\r\n")
    header: list[str] = []
    resources: dict[str, bytes] = {}
    block: list[str] | None = None
    keeping = False
    for line in lines:
        if line[:1] in (" ", "\t") and block is None:
            # A folded calendar property goes with the line it continues.
            if keeping:
                header.append(line)
        elif block is not None:
            block.append(line)
            if line == "END:VEVENT":
                uid = _uid_of(block)
                resources[uid] = _resource(header, block)
                block = None
        elif line == "BEGIN:VEVENT":
            block = [line]
        else:
            keeping = line.split(":", 1)[0].split(";", 1)[0] in _KEPT_CALENDAR_PROPERTIES
            if keeping:
                header.append(line)
    return resources


def resource_fingerprint(resource: bytes) -> str:
    """Return what tells two renderings of an event apart (a sha256 of its bytes)."""
    return hashlib.sha256(resource).hexdigest()


def _uid_of(block: list[str]) -> str:
    unfolded = _FOLD.sub("", "\r\n".join(block))
    for line in unfolded.split("\r\n"):
        if line.startswith("UID:"):
            return _unescaped(line[4:])
    raise ValueError("an event of the feed has no UID")


def _unescaped(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _resource(header: list[str], block: list[str]) -> bytes:
    lines = ["BEGIN:VCALENDAR", *header, *block, "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
