"""Channel commands for operators: import-now, status, export."""

from __future__ import annotations

import sys

from icalbridge import clock
from icalbridge.commands.progress import Progress
from icalbridge.hub.models import Channel, PublishedFeed
from icalbridge.sync.imports_now import ChannelBusy, import_now
from icalbridge.sync.status import channel_status
from icalbridge.wording.run_texts import run_text


def _channel(ident: str) -> Channel | None:
    query = Channel.objects.select_related("unit")
    if ident.isdigit():
        return query.filter(pk=int(ident)).first()
    return query.filter(public_id=ident).first() if len(ident) >= 32 else None


def import_now_command(ident: str | None, *, run_all: bool) -> int:
    """Import one channel or all; exit 1 when any import failed, 2 on bad arguments."""
    if run_all == bool(ident):
        print("Name one channel, or use --all.", file=sys.stderr)
        return 2
    if run_all:
        channels = list(
            Channel.objects.filter(is_active=True).exclude(import_url="").order_by("id")
        )
    else:
        channel = _channel(ident or "")
        if channel is None:
            print(f"No channel '{ident}'.", file=sys.stderr)
            return 2
        channels = [channel]
    failed = 0
    with Progress("import", len(channels)) as bar:
        for channel in channels:
            failed += _import_one(channel, bar)
            bar.advance()
    return 1 if failed else 0


def _import_one(channel: Channel, bar: Progress) -> int:
    """Import one channel and print what it did; return 1 when it failed."""
    try:
        run = import_now(channel.pk)
    except ChannelBusy:
        bar.say(f"{channel}: busy, another worker is importing it")
        return 1
    outcome = run.outcome if run else "skipped"
    detail = run_text(run) if run else ""
    bar.say(
        f"{channel}: {outcome} (+{run.added if run else 0} ~{run.moved if run else 0} "
        f"-{run.cancelled if run else 0}) {detail}".rstrip()
    )
    return int(outcome == "failed")


def status_command() -> int:
    """Print a table of channels and their states; exit 1 when any channel is in error."""
    now = clock.now()
    rows = [("ID", "UNIT", "CHANNEL", "STATE", "LAST IMPORT", "MESSAGE")]
    errors = 0
    for channel in Channel.objects.select_related("unit").order_by("unit__name", "name"):
        status = channel_status(channel, now, getattr(channel, "held", None))
        errors += status.state == "error"
        last = (
            channel.last_success_at.strftime("%Y-%m-%d %H:%M") if channel.last_success_at else "-"
        )
        rows.append(
            (str(channel.pk), channel.unit.name, channel.name, status.state, last, status.message)
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5])
    return 1 if errors else 0


def export_command(ident: str) -> int:
    """Print a channel's export feed as platforms fetch it."""
    channel = _channel(ident)
    feed = PublishedFeed.objects.filter(channel=channel).first() if channel else None
    if feed is None or not feed.etag:
        print(f"No export feed for channel '{ident}'.", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(bytes(feed.body))
    return 0
