"""What reading a feed yields: events, problems in plain words, the platform that made it."""

from __future__ import annotations

from dataclasses import dataclass

from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights, Span


@dataclass(frozen=True)
class Problem:
    """Something wrong with a feed, with a stable ``code`` and a plain-English ``message``.

    ``params`` carries the values in the message so that other layers can translate it.
    """

    code: str
    message: str
    uid: str | None = None
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FeedEvent:
    """One occurrence read from a feed, normalised.

    ``uid`` is the event's UID (synthetic when the feed has none); a recurring event's
    instances share it and differ by ``recurrence_id``. ``key`` identifies the occurrence.
    """

    uid: str
    span: Span
    kind: Kind
    summary: str = ""
    recurrence_id: str | None = None
    uid_is_synthetic: bool = False
    is_block: bool = False

    @property
    def key(self) -> str:
        return self.uid if self.recurrence_id is None else f"{self.uid}#{self.recurrence_id}"

    @property
    def all_day(self) -> bool:
        return isinstance(self.span, Nights)


@dataclass(frozen=True)
class Feed:
    """A feed as read: its events, what was wrong with it, and who exported it."""

    events: tuple[FeedEvent, ...]
    problems: tuple[Problem, ...] = ()
    platform: str | None = None
    name: str | None = None
    is_calendar: bool = True
    is_truncated: bool = False

    @property
    def can_be_applied(self) -> bool:
        """Tell whether this feed may change stored bookings at all (docs/domain.md rule 7)."""
        return self.is_calendar and not self.is_truncated

    def problem_codes(self) -> set[str]:
        return {p.code for p in self.problems}
