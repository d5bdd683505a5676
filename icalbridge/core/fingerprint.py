"""A content fingerprint that stays the same while a feed's bookings do."""

from __future__ import annotations

import hashlib
import re

# Lines that feeds rewrite on every request without any booking changing: DTSTAMP is the
# fetch time on Airbnb and Booking.com, LAST-MODIFIED and PRODID follow the generator's
# clock and version. Hashing them would make every poll look like a change and re-import
# an unchanged feed.
VOLATILE_PROPERTIES = frozenset({"DTSTAMP", "LAST-MODIFIED", "PRODID"})

_FOLD = re.compile(rb"\n[ \t]")
_NAME_END = re.compile(rb"[;:]")


def property_name(line: bytes) -> bytes:
    """Return the upper-cased property name of a content line."""
    match = _NAME_END.search(line)
    name = line if match is None else line[: match.start()]
    return name.strip().upper()


def canonical_lines(data: bytes) -> list[bytes]:
    """Return the unfolded, non-empty content lines that carry booking information."""
    body = data.removeprefix(b"\xef\xbb\xbf")
    body = _FOLD.sub(b"", body.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
    lines = []
    for line in body.split(b"\n"):
        if not line.strip():
            continue
        if property_name(line).decode("ascii", "replace") in VOLATILE_PROPERTIES:
            continue
        lines.append(line.rstrip(b" \t"))
    return lines


def feed_fingerprint(data: bytes) -> str:
    """Return a sha256 hex digest of a feed body that ignores what feeds regenerate per request.

    Line endings (CRLF, LF, CR), line folding, blank lines, a byte-order mark and the
    properties in VOLATILE_PROPERTIES do not count; everything else does, in order, so an
    unchanged fingerprint means the feed says exactly the same thing as before and its
    import can be skipped.
    """
    digest = hashlib.sha256()
    for line in canonical_lines(data):
        digest.update(line)
        digest.update(b"\n")
    return digest.hexdigest()
