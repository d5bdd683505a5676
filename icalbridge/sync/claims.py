"""Claim due channels so that no channel is ever imported twice at once.

PostgreSQL claims a batch with ``SELECT ... FOR UPDATE SKIP LOCKED``; SQLite, which has a
single writer, claims each row with a conditional UPDATE. Either way a claim is a lease
that expires, so a worker killed mid-import never blocks its channels for good.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet

from icalbridge.hub.models import Channel
from icalbridge.hub.sql_names import column_name, table_name

# No schedule puts a poll further ahead than this (back-off and Retry-After are capped at
# 24 h); a channel due later than that was scheduled by a clock that has since jumped back.
LONGEST_WAIT = timedelta(hours=25)


def lease() -> timedelta:
    """Return how long a claim lasts: three fetch time-outs, at least a minute.

    Long enough for any import to finish, short enough that the channels of a worker
    killed mid-import are taken up again within minutes.
    """
    if settings.ICALBRIDGE_CLAIM_LEASE_S > 0:
        return timedelta(seconds=settings.ICALBRIDGE_CLAIM_LEASE_S)
    return timedelta(seconds=max(60, 3 * settings.ICALBRIDGE_FETCH_TIMEOUT_S))


def _due(now: datetime) -> QuerySet[Channel]:
    return (
        Channel.objects.filter(is_active=True)
        .filter(Q(next_poll_at__lte=now) | Q(next_poll_at__gt=now + LONGEST_WAIT))
        .exclude(import_url="")
        .exclude(direction="export")
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def claim_due_channels(now: datetime, owner: str, limit: int = 50) -> list[int]:
    """Claim up to ``limit`` due channels for ``owner``, oldest due first; return their ids."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            ids = list(
                _due(now)
                .select_for_update(skip_locked=True)
                .order_by("next_poll_at", "id")
                .values_list("id", flat=True)[:limit]
            )
            Channel.objects.filter(id__in=ids).update(claimed_until=now + lease(), claimed_by=owner)
        return ids
    claimed = []
    for channel_id in _due(now).order_by("next_poll_at", "id").values_list("id", flat=True)[:limit]:
        if claim_channel(channel_id, now, owner):
            claimed.append(channel_id)
    return claimed


def claim_channel(channel_id: int, now: datetime, owner: str) -> bool:
    """Claim one channel whatever its schedule ("Import now"); False if another holds it."""
    return (
        Channel.objects.filter(pk=channel_id)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + lease(), claimed_by=owner)
        == 1
    )


def still_holds_claim(channel: Channel, now: datetime, owner: str) -> bool:
    """Tell whether ``owner`` still holds its claim on ``channel`` (as just read); renew it
    when less than two thirds of its lease is left.

    A queued import checks this before it starts: if its claim ran out while it waited in
    the queue, another worker may have claimed the channel since, and importing it
    anyway would run two imports of one channel at once. A claim taken moments ago (the
    scheduler's batches drain in a fraction of a second) leaves the import two fetch
    time-outs at least, as a renewed one would: no UPDATE is needed for it.
    """
    until = channel.claimed_until
    if channel.claimed_by != owner or until is None or until <= now:
        return False
    if until - now >= lease() * 2 / 3:
        return True
    return renew_claim(channel.pk, now, owner)


def renew_claim(channel_id: int, now: datetime, owner: str) -> bool:
    """Extend a claim that ``owner`` still holds; False when it expired or passed to another."""
    # Every import starts here: the ORM spent twice as long building this UPDATE as the
    # database spent running it, so it is written once, with the columns' own names.
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(_renew_sql(), [adapt(now + lease()), channel_id, owner, adapt(now)])
        return cursor.rowcount == 1


@cache
def _renew_sql() -> str:
    pk, owner, until = (column_name(Channel, n) for n in ("id", "claimed_by", "claimed_until"))
    return (
        f"UPDATE {table_name(Channel)} SET {until} = %s"
        f" WHERE {pk} = %s AND {owner} = %s AND {until} > %s"
    )


def release_channel(channel_id: int, owner: str, next_poll_at: datetime | None) -> None:
    """Give a claim back and set when the channel is next due."""
    updates: dict[str, object] = {"claimed_until": None, "claimed_by": ""}
    if next_poll_at is not None:
        updates["next_poll_at"] = next_poll_at
    Channel.objects.filter(pk=channel_id, claimed_by=owner).update(**updates)
