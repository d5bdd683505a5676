"""Plan the writes that make a CalDAV calendar hold exactly an agenda feed's events.

The hub keeps a record of each event it wrote (its href, the ETag the server gave, and a
fingerprint of the bytes), and touches nothing else: an event the person made in the same
calendar is never read, changed or removed. Every write is conditional, so that nothing is
duplicated or overwritten blindly: a new event is created with ``If-None-Match: *`` (it
fails rather than replace something already there), a change or a removal names the ETag
it replaces with ``If-Match`` (it fails if someone changed the event meanwhile, and the
next full reconciliation looks again).

A plan made from the record alone pushes what changed in the feed. A plan made with the
server's listing of the calendar (href -> ETag, from a sync-token report or a PROPFIND)
also repairs what happened on the server: an event of ours deleted or edited there is
written again, one already gone is forgotten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class WriteKind(StrEnum):
    CREATE = "create"  # PUT with If-None-Match: *
    UPDATE = "update"  # PUT with If-Match: <etag>
    DELETE = "delete"  # DELETE with If-Match: <etag>
    FORGET = "forget"  # no request: the event is gone from the server and from the feed
    RECORD = "record"  # no request: learn the ETag the server gave an event we wrote


@dataclass(frozen=True)
class Written:
    """What the hub wrote for one UID: where, the server's ETag (None if not told), what."""

    href: str
    etag: str | None
    fingerprint: str


@dataclass(frozen=True)
class PlannedWrite:
    kind: WriteKind
    uid: str
    href: str
    if_match: str | None = None


def resource_name(uid: str) -> str:
    """Return the name under which the hub stores an event of this UID in a calendar.

    A digest, not the UID itself: UIDs may hold characters that servers escape differently
    in the hrefs they list, and an href that does not compare equal would look like an
    event gone missing.
    """
    return "icalbridge-" + hashlib.sha256(uid.encode("utf-8")).hexdigest()[:32] + ".ics"


def plan_push(
    wanted: Mapping[str, str],
    written: Mapping[str, Written],
    collection: str,
    listing: Mapping[str, str | None] | None = None,
) -> tuple[PlannedWrite, ...]:
    """Return the writes that bring the calendar to ``wanted`` (UID -> fingerprint).

    ``collection`` is the calendar's path, ending with "/". ``listing`` is what the server
    holds (href -> ETag), or None to trust the record. Writes come in UID order, at most
    one per UID and per href; none names an href the record does not hold or that is not
    the hub's own name for a new UID.
    """
    plan: list[PlannedWrite] = []
    for uid in sorted(set(wanted) | set(written)):
        record = written.get(uid)
        if record is None:
            plan.append(PlannedWrite(WriteKind.CREATE, uid, collection + resource_name(uid)))
            continue
        present = listing is None or record.href in listing
        etag = record.etag if listing is None else listing.get(record.href)
        if uid not in wanted:
            if present:
                plan.append(PlannedWrite(WriteKind.DELETE, uid, record.href, etag))
            else:
                plan.append(PlannedWrite(WriteKind.FORGET, uid, record.href))
        elif not present:
            # Deleted on the server (by the person, or lost): the feed still shows it.
            plan.append(PlannedWrite(WriteKind.CREATE, uid, record.href))
        elif record.fingerprint != wanted[uid] or _changed_there(record.etag, etag):
            plan.append(PlannedWrite(WriteKind.UPDATE, uid, record.href, etag))
        elif record.etag is None and etag is not None:
            plan.append(PlannedWrite(WriteKind.RECORD, uid, record.href, etag))
    return tuple(plan)


def _changed_there(recorded: str | None, listed: str | None) -> bool:
    """Tell whether the server's ETag says someone changed the event since we wrote it."""
    return recorded is not None and listed is not None and recorded != listed
