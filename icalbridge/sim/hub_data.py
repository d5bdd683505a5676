"""The simulated host's account in the hub: units and channels, created through the ORM."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from icalbridge.core.spans import Nights, nights_of
from icalbridge.hub.models import Booking, Channel, Organization, PublishedFeed, Unit
from icalbridge.sim.scenario import Scenario
from icalbridge.sync.exporter import refresh_unit_feeds

_NAMES = {"airbnb": "Airbnb", "booking": "Booking.com", "abritel": "Abritel", "google": "Agenda"}


@dataclass(frozen=True)
class HubUnit:
    unit_id: int
    channel_of: dict[str, int]  # source id -> channel id
    feed_url_of: dict[str, str]  # importing platform -> the hub's export URL for it

    @property
    def source_of_channel(self) -> dict[int, str]:
        return {channel: source for source, channel in self.channel_of.items()}


def ensure_empty_database() -> None:
    if Unit.objects.exists():
        raise SystemExit(
            "simulate needs an empty hub database: set ICALBRIDGE_DATA_DIR to a new folder "
            "or DATABASE_URL to an empty database"
        )


def create_hub_units(
    scenario: Scenario, import_url: dict[str, Callable[[str], str]], start: datetime
) -> list[HubUnit]:
    """Create one unit per simulated unit with a channel per source; return their ids."""
    organization = Organization.objects.create(name=f"Simulation {scenario.name}")
    units = []
    for number in range(scenario.units):
        unit = Unit.objects.create(organization=organization, name=f"Unit {number:04d}")
        channel_of = {}
        for source in scenario.sources:
            if source.id == "direct":
                continue
            channel = Channel.objects.create(
                unit=unit,
                name=_NAMES[source.id],
                platform=source.id,
                direction="both" if source.imports_hub else "import",
                import_url=import_url[source.id](f"{source.id}-{number}"),
                poll_interval_s=scenario.hub_poll_interval_s,
                next_poll_at=start,
            )
            channel_of[source.id] = channel.pk
        refresh_unit_feeds(unit)
        feeds = PublishedFeed.objects.filter(channel__unit=unit).select_related("channel")
        feed_url_of = {f.channel.platform: f.url for f in feeds if f.channel is not None}
        units.append(HubUnit(unit.pk, channel_of, feed_url_of))
    # Created at the simulation's start, not at the machine's time: the hub counts a channel
    # that never imported as stale a day after its creation.
    Channel.objects.filter(unit__organization=organization).update(created_at=start)
    Unit.objects.filter(organization=organization).update(created_at=start)
    return units


def hub_occupied_nights(unit_id: int) -> set[int]:
    """Return the nights the hub's calendar shows taken on a unit (what a host sees there)."""
    unit = Unit.objects.get(pk=unit_id)
    nights: set[int] = set()
    for booking in Booking.objects.filter(unit_id=unit_id, cancelled_at__isnull=True):
        run = nights_of(booking.span, unit.stay_times)
        if run is not None:
            nights.update(range(run.start.toordinal(), run.end.toordinal()))
    return nights


def export_nights(unit: HubUnit) -> dict[str, set[int]]:
    """Return, per importing platform, the nights the hub's export to it carries."""
    rows = PublishedFeed.objects.filter(channel__unit_id=unit.unit_id).values_list(
        "channel__platform", "nights"
    )
    result: dict[str, set[int]] = {}
    for platform, runs in rows:
        if platform not in unit.feed_url_of:
            continue
        nights: set[int] = set()
        for start, end in runs or []:
            run = Nights(datetime.fromisoformat(start).date(), datetime.fromisoformat(end).date())
            nights.update(range(run.start.toordinal(), run.end.toordinal()))
        result[platform] = nights
    return result


def describe_booking(booking: Booking, unit: HubUnit) -> str:
    """Return a hub booking as a report line: its channel's source (``hub`` if entered in
    the hub itself), kind, flags and dates."""
    return (
        f"{unit.source_of_channel.get(booking.origin_id or 0, 'hub')} {booking.kind}"
        f"{' echo' if booking.is_echo else ''}{' horizon' if booking.is_horizon else ''}"
        f" {booking.start}..{booking.end} uid {booking.remote_uid[:24]}"
    )
