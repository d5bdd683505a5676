"""Turn the bytes of a feed into clean, unfolded iCalendar text, noting what was wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from icalbridge.core.feed import Problem

_UTF8_BOM = b"\xef\xbb\xbf"
_FOLD = re.compile(rb"\n[ \t]")
_CONTENT_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9 \t-]*?)[ \t]*([;:])(.*)$", re.DOTALL)
_CONFLICT_MARKER = re.compile(r"^(<{7}|={7}|>{7})")
_SCANNED_FOR_MARKERS = 64_000
# Writers fold at 75 octets (a few at 72 to 74): a line that lost its folding space
# follows one at least that long. After a shorter line, a line without a colon is junk,
# not a continuation: gluing it corrupted UIDs and start dates.
_FOLDED_LINE_OCTETS = 72
# Components that only ever sit at the top of a calendar: one opening while another is
# still open means the other's END line was lost or mistyped.
_TOP_LEVEL_ONLY = frozenset({"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE"})
_NONE, _KEPT, _SKIPPED = "none", "kept", "skipped"


@dataclass
class Block:
    """One top-level component (VEVENT, VTIMEZONE, ...) as its clean content lines."""

    name: str
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\r\n".join(self.lines) + "\r\n"


@dataclass(frozen=True)
class CleanFeed:
    """A feed's text after decoding, unfolding and structural repair."""

    calendar_lines: tuple[str, ...]
    blocks: tuple[Block, ...]
    problems: tuple[Problem, ...]
    looks_like_calendar: bool
    is_truncated: bool

    @property
    def text(self) -> str:
        """Return one VCALENDAR holding every component, for icalendar to parse."""
        parts = ["BEGIN:VCALENDAR", *self.calendar_lines]
        for block in self.blocks:
            parts.extend(block.lines)
        parts.append("END:VCALENDAR")
        return "\r\n".join(parts) + "\r\n"


def problem(code: str, message: str, uid: str | None = None, **params: object) -> Problem:
    """Build a Problem whose params carry the values quoted in its message."""
    return Problem(code, message, uid, tuple((k, str(v)) for k, v in params.items()))


def decode_feed(data: bytes) -> tuple[str, list[Problem]]:
    """Return the unfolded text of a feed with LF line ends, decoded as well as it can be."""
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16", errors="replace").encode("utf-8")
    # Unfold at the byte level: a fold may split a multi-byte UTF-8 character in two.
    data = _FOLD.sub(b"", data.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    return text, [
        problem(
            "not_utf8",
            f"The feed is not valid UTF-8; it was read as {encoding}.",
            encoding=encoding,
        )
    ]


def clean_feed(data: bytes, event_properties: frozenset[str] | None = None) -> CleanFeed:
    """Split a feed into its components, repairing what can be repaired.

    Blank lines, git conflict markers and lines that are not content lines are dropped;
    several VCALENDARs are merged; a bare component is accepted; a component cut off by the
    end of the body is dropped and the feed marked truncated. When ``event_properties`` is
    given, VEVENTs keep only those properties and lose their sub-components (alarms).
    """
    text, problems = decode_feed(data)
    head = text[:_SCANNED_FOR_MARKERS].upper()
    looks_like_calendar = "BEGIN:VCALENDAR" in head or "BEGIN:VEVENT" in head
    calendar_lines: list[str] = []
    seen_calendar_props: set[str] = set()
    blocks: list[Block] = []
    stack: list[str] = []
    current: Block | None = None
    calendars = junk = broken_folds = unclosed = 0
    lost_cut_component = False
    last_line = _NONE
    last_raw = ""
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        match = None if _CONFLICT_MARKER.match(line) else _CONTENT_LINE.match(line)
        if match is None:
            is_fold = last_line == _KEPT and len(last_raw.encode("utf-8")) >= _FOLDED_LINE_OCTETS
            if is_fold and not _CONFLICT_MARKER.match(line):
                # A fold that lost its leading space (Confluence): keep the value whole.
                target = current.lines if current is not None else calendar_lines
                target[-1] += raw.rstrip()
                broken_folds += 1
                last_raw = raw
            elif last_line != _SKIPPED:
                junk += 1
                last_line = _NONE
            continue
        last_raw = raw
        name = match.group(1).upper()
        if " " in name or "\t" in name:
            name = re.sub(r"\s+", "", name)
        depth = len(stack) - (1 if stack and stack[0] == "VCALENDAR" else 0)
        is_trimmed = (
            event_properties is not None and current is not None and current.name == "VEVENT"
        )
        if name in ("BEGIN", "END"):
            value = match.group(3).strip().upper()
            last_line = _NONE
            if name == "BEGIN":
                if value == "VCALENDAR":
                    # A second calendar opened before the first closed: the cut-off
                    # component is lost, the calendars are merged.
                    calendars += 1
                    lost_cut_component = lost_cut_component or current is not None
                    current, stack = None, [value]
                    continue
                if current is not None and value in _TOP_LEVEL_ONLY:
                    # A mistyped END (END:VTOOD) left the last component open: close it
                    # here rather than read every later component as nested in it.
                    unclosed += 1
                    _close_open_components(current, stack, event_properties)
                    blocks.append(current)
                    current = Block(value, [f"BEGIN:{value}"])
                    stack.append(value)
                    continue
                if current is None:
                    current = Block(value)
                stack.append(value)
                if not (is_trimmed and depth >= 1):
                    current.lines.append(f"BEGIN:{value}")
                continue
            if value not in stack:
                junk += 1
                continue
            if value == "VCALENDAR" and current is not None:
                lost_cut_component, current = True, None
            base = 1 if stack[0] == "VCALENDAR" else 0
            while stack and stack[-1] != value:
                closed = stack.pop()
                if current is not None and not (is_trimmed and len(stack) - base >= 1):
                    current.lines.append(f"END:{closed}")
            stack.pop()
            if value == "VCALENDAR" or current is None:
                continue
            if not (is_trimmed and len(stack) - base >= 1):
                current.lines.append(f"END:{value}")
            if stack in ([], ["VCALENDAR"]):
                blocks.append(current)
                current = None
            continue
        if current is not None:
            if is_trimmed and (depth > 1 or name not in event_properties):  # type: ignore[operator]
                last_line = _SKIPPED
                continue
            current.lines.append(f"{name}{match.group(2)}{match.group(3)}")
        elif stack:
            if name not in seen_calendar_props:
                seen_calendar_props.add(name)
                calendar_lines.append(f"{name}{match.group(2)}{match.group(3)}")
        else:
            junk += 1
            last_line = _NONE
            continue
        last_line = _KEPT
    is_cut = bool(stack) or lost_cut_component
    if is_cut:
        cut = current.name if current is not None else "VEVENT" if not stack else stack[-1]
        problems.append(
            problem(
                "truncated",
                f"The feed ends in the middle of a {cut}: it was cut off.",
                component=cut,
            )
        )
    if unclosed:
        problems.append(
            problem(
                "unclosed_component",
                f"{unclosed} component(s) had no valid END line; each was closed where the "
                "next one began. Nothing is freed from this feed until it is whole again.",
                count=unclosed,
            )
        )
    if calendars > 1:
        problems.append(
            problem(
                "multiple_calendars",
                f"The feed holds {calendars} calendars; their events were merged.",
                count=calendars,
            )
        )
    if junk:
        problems.append(
            problem("junk_line", f"{junk} line(s) that are not iCalendar were skipped.", count=junk)
        )
    if broken_folds:
        problems.append(
            problem(
                "broken_fold",
                f"{broken_folds} line(s) continued the previous one without the leading space.",
                count=broken_folds,
            )
        )
    return CleanFeed(
        calendar_lines=tuple(calendar_lines),
        blocks=tuple(blocks),
        problems=tuple(problems),
        looks_like_calendar=looks_like_calendar,
        # A component closed by guesswork may have lost lines too: as doubtful as a cut.
        is_truncated=is_cut or unclosed > 0,
    )


def _close_open_components(
    current: Block, stack: list[str], event_properties: frozenset[str] | None
) -> None:
    """Close every component open inside the calendar, writing the END lines that were lost."""
    base = 1 if stack and stack[0] == "VCALENDAR" else 0
    while len(stack) > base:
        closed = stack.pop()
        is_nested = len(stack) - base >= 1
        if not (event_properties is not None and current.name == "VEVENT" and is_nested):
            current.lines.append(f"END:{closed}")
