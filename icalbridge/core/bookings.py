"""Bookings as values: kinds, origins, scope, and import options (docs/domain.md rule 11)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from icalbridge.core.spans import Span

LOCAL_ORIGIN = "local"


class Kind(StrEnum):
    RESERVED = "reserved"
    TENTATIVE = "tentative"
    UNAVAILABLE = "unavailable"


class Direction(StrEnum):
    IMPORT = "import"
    EXPORT = "export"
    BOTH = "both"

    @property
    def imports(self) -> bool:
        return self in (Direction.IMPORT, Direction.BOTH)

    @property
    def exports(self) -> bool:
        return self in (Direction.EXPORT, Direction.BOTH)


class ImportMode(StrEnum):
    """What an import keeps of a feed."""

    EVERYTHING = "everything"
    RESERVATIONS_ONLY = "reservations_only"
    ALL_AS_BLOCKS = "all_as_blocks"


@dataclass(frozen=True)
class ImportOptions:
    """How to read one channel's feed; defaults come from the platform preset."""

    dtend_is_checkout: bool = True
    mode: ImportMode = ImportMode.EVERYTHING
    ignore_phrases: tuple[str, ...] = ()
    floating_tz: str | None = None


@dataclass(frozen=True)
class Booking:
    """A booking as the domain sees it, whatever stores it.

    ``origin`` is ``"local"`` or the id of the channel it was imported from. ``scope`` is
    None for every channel, or the ids of the channels it is shown on.
    """

    id: str
    span: Span
    kind: Kind
    origin: str = LOCAL_ORIGIN
    category: str = ""
    summary: str = ""
    scope: frozenset[str] | None = None
    is_block: bool = False
    is_echo: bool = False
    is_horizon: bool = False
    sequence: int = 0
    updated_at: datetime | None = None
    remote_uid: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_local(self) -> bool:
        return self.origin == LOCAL_ORIGIN

    def is_shown_on(self, channel_id: str) -> bool:
        return self.scope is None or channel_id in self.scope
