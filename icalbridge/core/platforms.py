"""Platform presets: each platform's habits, and recognising and classifying its events."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from icalbridge.core.bookings import Direction, ImportOptions, Kind

_IMPORT_EXPORT = (Direction.IMPORT, Direction.EXPORT, Direction.BOTH)
_EXPORT_ONLY = (Direction.EXPORT,)
_IMPORT_ONLY = (Direction.IMPORT,)
_HOUR = 3600

# Words calendars (not rental platforms) use for a block rather than a stay.
GENERIC_BLOCK_PHRASES: tuple[str, ...] = (
    r"^\s*busy\s*$",
    r"^\s*occup[ée]e?\s*$",
    r"indisponible",
    r"not\s+available",
    r"unavailable",
    r"^\s*blocked\b",
    r"^\s*ferm[ée]e?\s*$",
    r"^\s*closed\b",
)


@dataclass(frozen=True)
class Platform:
    """What icalbridge knows of one platform's calendar links (docs/domain.md rule 14)."""

    id: str
    name_fr: str
    name_en: str
    directions: tuple[Direction, ...] = _IMPORT_EXPORT
    default_import_options: ImportOptions = field(default_factory=ImportOptions)
    poll_interval_s: int = 6 * _HOUR
    block_phrases: tuple[str, ...] = GENERIC_BLOCK_PHRASES
    tentative_phrases: tuple[str, ...] = ()
    reservation_phrases: tuple[str, ...] = ()
    blocks_may_be_reservations: bool = False
    re_exports_foreign_blocks: bool = False
    prodid_patterns: tuple[str, ...] = ()
    uid_patterns: tuple[str, ...] = ()
    help_key: str = ""
    # The export side (issue "closed loop"): whether the platform's own feed shows the
    # dates it imported from us as its blocks (so we can see them applied), how long it
    # usually takes to fetch a new link the first time, and whether it refuses http links.
    shows_imports_as_blocks: bool = False
    first_fetch_window_s: int = 24 * _HOUR
    needs_https: bool = False


def _preset(id: str, name_fr: str, name_en: str | None = None, **habits: object) -> Platform:
    return Platform(id, name_fr, name_en or name_fr, help_key=f"platform-{id}", **habits)  # type: ignore[arg-type]


_PRESETS: tuple[Platform, ...] = (
    _preset(
        "airbnb",
        "Airbnb",
        poll_interval_s=3 * _HOUR,
        block_phrases=(r"not\s+available", r"^\s*blocked\b", r"indisponible"),
        reservation_phrases=(r"\breserved\b", r"r[ée]serv[ée]"),
        default_import_options=ImportOptions(ignore_phrases=()),
        re_exports_foreign_blocks=True,
        shows_imports_as_blocks=True,
        first_fetch_window_s=6 * _HOUR,
        needs_https=True,
        prodid_patterns=(r"airbnb",),
        uid_patterns=(r"@airbnb\.com$",),
    ),
    _preset(
        "booking",
        "Booking.com",
        poll_interval_s=2 * _HOUR,
        block_phrases=(r"closed\s*[-–—]\s*not\s+available", r"not\s+available", r"^\s*closed\b"),
        blocks_may_be_reservations=True,
        shows_imports_as_blocks=True,
        needs_https=True,
        prodid_patterns=(r"booking\.com",),
        uid_patterns=(r"@booking\.com$",),
    ),
    _preset(
        "abritel",
        "Abritel / Vrbo",
        "Vrbo / Abritel",
        poll_interval_s=1 * _HOUR,
        block_phrases=(r"indisponible", r"^\s*blocked\b", r"not\s+available", r"unavailable"),
        tentative_phrases=(r"^\s*provisoire", r"^\s*tentative", r"^\s*pending"),
        reservation_phrases=(r"^\s*r[ée]serv[ée]e?\b", r"^\s*reserved\b", r"^\s*booked\b"),
        re_exports_foreign_blocks=True,
        shows_imports_as_blocks=True,
        first_fetch_window_s=12 * _HOUR,
        needs_https=True,
        prodid_patterns=(r"homeaway", r"vrbo", r"abritel"),
    ),
    _preset(
        "gites-de-france",
        "Gîtes de France",
        poll_interval_s=6 * _HOUR,
        prodid_patterns=(r"gites-de-france", r"\bitea\b"),
    ),
    _preset("gites-de-france-loiret", "Gîtes de France Loiret", poll_interval_s=6 * _HOUR),
    _preset("feratel", "Feratel", prodid_patterns=(r"feratel",)),
    _preset("cybevasion", "Cybevasion", directions=_EXPORT_ONLY, prodid_patterns=(r"cybevasion",)),
    _preset("amivac", "Amivac", directions=_EXPORT_ONLY, prodid_patterns=(r"amivac",)),
    _preset(
        "seloger-vacances",
        "SeLoger Vacances",
        directions=_EXPORT_ONLY,
        prodid_patterns=(r"seloger",),
    ),
    _preset(
        "google",
        "Google Agenda",
        "Google Calendar",
        poll_interval_s=12 * _HOUR,
        prodid_patterns=(r"google",),
        uid_patterns=(r"@google\.com$",),
    ),
    _preset("expedia", "Expedia", prodid_patterns=(r"expedia",)),
    _preset(
        "tripadvisor", "Tripadvisor", poll_interval_s=24 * _HOUR, prodid_patterns=(r"tripadvisor",)
    ),
    _preset("ingenie", "Ingenie", prodid_patterns=(r"ingenie",)),
    _preset("reservit", "Reservit", directions=_IMPORT_ONLY, prodid_patterns=(r"reservit",)),
    _preset("ke-booking", "Ke-booking", directions=_IMPORT_ONLY, prodid_patterns=(r"ke-booking",)),
    _preset("manava", "Manava", directions=_IMPORT_ONLY, prodid_patterns=(r"manava",)),
    _preset("amenitiz", "Amenitiz", directions=_IMPORT_ONLY, prodid_patterns=(r"amenitiz",)),
    _preset("eviivo", "eviivo", directions=_IMPORT_ONLY, prodid_patterns=(r"eviivo",)),
    _preset("thais-soft", "Thaïs", "Thais", directions=_IMPORT_ONLY, prodid_patterns=(r"thais",)),
    _preset("open-pro", "Open Pro", prodid_patterns=(r"open-?pro",)),
    _preset(
        "outlook",
        "Outlook",
        directions=_IMPORT_ONLY,
        poll_interval_s=3 * _HOUR,
        prodid_patterns=(r"microsoft", r"outlook", r"exchange"),
    ),
    _preset(
        "apple",
        "Apple Calendrier",
        "Apple Calendar",
        directions=_IMPORT_ONLY,
        poll_interval_s=1 * _HOUR,
        prodid_patterns=(r"apple", r"icloud", r"caldav\.icloud"),
    ),
    _preset("other", "Autre calendrier", "Other calendar"),
)
_BY_ID = {p.id: p for p in _PRESETS}
_RECOGNISED = tuple(p for p in _PRESETS if p.prodid_patterns or p.uid_patterns)
_CANCELLED_STATUS = "CANCELLED"
# The platforms French hosts most often sell on, offered first when a unit is connected.
USUAL_PLATFORM_IDS = ("airbnb", "booking", "abritel", "gites-de-france")


def all_platforms() -> tuple[Platform, ...]:
    """Return every preset in a stable order, "other" last."""
    return _PRESETS


def platform_by_id(platform_id: str) -> Platform:
    """Return the preset with this id; raise KeyError for an unknown one."""
    return _BY_ID[platform_id]


def recognise_platform(prodid: str | None, uids: list[str], summaries: list[str]) -> str | None:
    """Return the id of the platform that produced a feed, or None when unsure.

    PRODID decides first (matched as an opaque string: Booking.com's is badly escaped),
    then the domain of the UIDs, then summaries only the rental platforms write.
    """
    if prodid:
        lowered = prodid.lower()
        for platform in _RECOGNISED:
            if any(re.search(p, lowered) for p in platform.prodid_patterns):
                return platform.id
    for platform in _RECOGNISED:
        if platform.uid_patterns and any(
            _matches_any(uid.lower(), platform.uid_patterns) for uid in uids[:50]
        ):
            return platform.id
    texts = [s.lower() for s in summaries[:50]]
    if texts and all(t.strip() in ("reserved", "airbnb (not available)") for t in texts):
        return "airbnb" if any("airbnb" in t for t in texts) else None
    if texts and any(re.match(r"^(r[ée]serv[ée]e|provisoire|indisponible)\b", t) for t in texts):
        return "abritel"
    return None


def classify_event(platform_id: str | None, summary: str, status: str | None) -> tuple[Kind, bool]:
    """Return the kind of an event and whether its platform presents it as a block."""
    platform = _BY_ID.get(platform_id or "other", _BY_ID["other"])
    text = summary.strip().lower()
    if (status or "").strip().upper() == "TENTATIVE" or _matches_any(
        text, platform.tentative_phrases
    ):
        return Kind.TENTATIVE, False
    if _matches_any(text, platform.reservation_phrases):
        return Kind.RESERVED, False
    if _matches_any(text, platform.block_phrases):
        return Kind.UNAVAILABLE, True
    return Kind.RESERVED, False


def is_cancelled(status: str | None) -> bool:
    """Tell whether an event's STATUS says it no longer holds."""
    return (status or "").strip().upper() == _CANCELLED_STATUS


def _matches_any(text: str, patterns: tuple[str, ...]) -> bool:
    return any(_compiled(p).search(text) for p in patterns)


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)
