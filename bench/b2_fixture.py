"""B2's fixture: feed files served by nginx, and channels that import them (Django steps)."""

from __future__ import annotations

import json
import random
import time
from datetime import date
from pathlib import Path

from bench.support import airbnb_style_feed

# One in four servers sends no validators (served under /nv/): the fingerprint path.
NO_VALIDATORS_EVERY = 4


def events_of(i: int) -> int:
    """Return how many events channel i's feed holds: 5 to 40, as Airbnb feeds do."""
    return 5 + random.Random(i).randrange(36)


def feed_path(i: int) -> str:
    folder = "nv" if i % NO_VALIDATORS_EVERY == NO_VALIDATORS_EVERY - 1 else "e"
    return f"/{folder}/c{i}.ics"


def write_feed(root: Path, i: int, today: date, extra: int) -> None:
    """Write channel i's feed; ``extra`` 1 adds one booking (a change), 0 takes it away."""
    path = root / feed_path(i).lstrip("/")
    body = airbnb_style_feed(events_of(i) + extra, seed=i, today=today, slot=i % 4, slots=4)
    path.write_bytes(body)


def write_all_feeds(root: Path, channels: int, today: date) -> None:
    (root / "extra.json").unlink(missing_ok=True)
    for folder in ("e", "nv"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for i in range(channels):
        write_feed(root, i, today, 0)


def change_feeds(root: Path, indexes: list[int], today: date) -> None:
    """Change these feeds: one booking more where there was none extra, else one less."""
    state = root / "extra.json"
    extras = json.loads(state.read_text()) if state.exists() else {}
    for i in indexes:
        extras[str(i)] = 1 - extras.get(str(i), 0)
        write_feed(root, i, today, extras[str(i)])
    # The size changes with the booking count, so nginx's ETag (mtime and size) changes.
    state.write_text(json.dumps(extras))


def seed_channels(channels: int, base_url: str) -> None:
    """Create organizations, units of four channels each, and channels due now."""
    from icalbridge.cli import setup_django

    setup_django()
    from django.utils import timezone

    from icalbridge.hub.models import Channel, Organization, Unit

    platforms = ("airbnb", "booking", "vrbo", "abritel")
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Host {n}") for n in range(max(1, channels // 400))
    )
    units = Unit.objects.bulk_create(
        Unit(organization=orgs[n % len(orgs)], name=f"Unit {n}") for n in range(channels // 4)
    )
    now = timezone.now()
    Channel.objects.bulk_create(
        (
            Channel(
                unit=units[i // 4],
                name=f"C{i}",
                platform=platforms[i % 4],
                direction="both",
                import_url=f"{base_url}{feed_path(i)}",
                next_poll_at=now,
            )
            for i in range(channels)
        ),
        batch_size=2000,
    )
    print(json.dumps({"channels": Channel.objects.count()}))


def time_import_paths(indexes: list[int]) -> None:
    """Import channels one by one in this process; print each path's CPU milliseconds.

    Keyed by outcome and HTTP status: ``unchanged:304`` (validators), ``unchanged:200``
    (same bytes, the fingerprint path), ``applied:200`` (parse, reconcile, export).
    """
    from icalbridge.cli import setup_django

    setup_django()
    from icalbridge.hub.models import Channel
    from icalbridge.sync.importer import import_channel

    ids = dict(
        Channel.objects.filter(name__in=[f"C{i}" for i in indexes]).values_list("name", "id")
    )
    costs: dict[str, list[float]] = {}
    for i in indexes:
        started = time.process_time()
        run = import_channel(ids[f"C{i}"])
        spent_ms = (time.process_time() - started) * 1000
        costs.setdefault(f"{run.outcome}:{run.http_status}", []).append(spent_ms)
    print(json.dumps(costs))
