"""The simulated world: a discrete-event loop that jumps the hub's clock to what happens next.

Only the instants where something can happen are visited: a guest or host action, a
platform fetching the hub's feed, a day starting (past stays trimmed, Airbnb's horizon
moving), and a hub channel coming due. See ``icalbridge.sim.run`` for the shortcuts.
"""

from __future__ import annotations

import heapq
import http.client
import math
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.db import transaction

from icalbridge.feeds.fetch_records import SERVED_HISTORY_LENGTH
from icalbridge.hub.models import Channel, HeldChange
from icalbridge.sim.faults import Fault, draw_faults
from icalbridge.sim.hub_data import HubUnit, export_nights
from icalbridge.sim.hub_process import HubProcess
from icalbridge.sim.late_changes import TRACES_KEPT, is_late, late_after_s, trace_late_change
from icalbridge.sim.measures import Change, Measures
from icalbridge.sim.scenario import Scenario
from icalbridge.sim.world_state import Item, Listing

PARIS = ZoneInfo("Europe/Paris")
HORIZON_END_DAYS = 365
_USER_AGENTS = {
    "airbnb": "Airbnb-Calendar-Sync/1.0",
    "booking": "Booking.com iCal fetcher",
    "abritel": "HomeAway-iCal/2.0 (Abritel)",
}
_DATE_LINE = re.compile(rb"DT(START|END);VALUE=DATE:(\d{8})")


class World:
    """Platforms, listings, guests and the hub, moved forward event by event."""

    def __init__(
        self,
        scenario: Scenario,
        hub: HubProcess,
        listings: dict[tuple[str, int], Listing],
        hub_units: list[HubUnit],
        *,
        every_poll: bool,
    ) -> None:
        self.scenario = scenario
        self.hub = hub
        self.listings = listings
        self.hub_units = hub_units
        self.every_poll = every_poll
        self.start = datetime.fromisoformat(scenario.start)
        self.rng = random.Random(scenario.seed)
        self.jitter = random.Random(scenario.seed + 1)
        self.t = 0
        self.end_t = int(scenario.days * 86400)
        self.observe_t = self.end_t + scenario.settle_s
        self.quiet_end_t = self.observe_t + scenario.settle_s
        self.queue: list[tuple[int, int, str, tuple[object, ...]]] = []
        self.sequence = 0
        self.items: dict[int, Item] = {}
        self.unit_items: dict[int, list[Item]] = {u: [] for u in range(scenario.units)}
        self.measures = Measures()
        self.reader = FeedReader()
        self.unit_of_channel = {
            ch: (source, u)
            for u, hu in enumerate(hub_units)
            for source, ch in hu.channel_of.items()
        }
        interval = scenario.hub_poll_interval_s
        self.interval = interval
        self.poll_interval_of = {s.id: s.poll_interval_s for s in scenario.importing}
        self.hub_next: dict[int, int] = {ch: 0 for ch in self.unit_of_channel}
        self.due: dict[int, int] = {ch: 0 for ch in self.unit_of_channel}
        self.seen: dict[int, object] = {}
        self.served: dict[int, list[str]] = {ch: [] for ch in self.unit_of_channel}
        self.served_version: dict[int, int] = dict.fromkeys(self.unit_of_channel, 0)
        self.seen_served: dict[int, int] = {}
        self.hub_steps = 0
        self.skipped_polls = 0
        self.platform_fetches = 0
        self.fetches_of: dict[int, int] = defaultdict(int)
        self.fetched_since_step: set[int] = set()
        self.late_traces: list[dict[str, object]] = []
        self.faults = draw_faults(
            scenario.faults,
            [k for k in listings if k[0] in self.poll_interval_of],
            scenario.seed,
        )
        self.first_unapplied_fetch: dict[tuple[str, int], int] = {}
        self.actions: dict[str, Callable[..., None]] = {
            "late_check": self.check_hub,
            "apply": self.apply_late,
        }
        self.wall: dict[str, float] = {}

    # Time -----------------------------------------------------------------------------

    def instant(self, t: int) -> datetime:
        return self.start + timedelta(seconds=t)

    def t_of(self, instant: datetime) -> int:
        return math.ceil((instant - self.start).total_seconds())

    def today(self) -> int:
        return self.instant(self.t).astimezone(PARIS).date().toordinal()

    def at(self, t: float, kind: str, *args: object) -> None:
        """Schedule an event; actions after the end of the busy period never happen."""
        t = int(t)
        if kind not in ("poll", "day", "skipped_polls", "apply") and t >= self.end_t:
            return
        self.sequence += 1
        heapq.heappush(self.queue, (t, self.sequence, kind, args))

    # The loop ---------------------------------------------------------------------------

    def run(self) -> None:
        while True:
            hub_t = self.next_hub_instant()
            event_t = self.queue[0][0] if self.queue else math.inf
            if min(hub_t, event_t) > self.quiet_end_t:
                break
            if self.measures.observing_from is None and min(hub_t, event_t) >= self.observe_t:
                self.measures.observing_from = self.observe_t
                self.observe_everything()
            began = time.perf_counter()
            if hub_t <= event_t:
                self.hub_step(int(hub_t))
                kind = "hub"
            else:
                t, _, kind, args = heapq.heappop(self.queue)
                self.t = t
                self.actions[kind](*args)
            self.wall[kind] = self.wall.get(kind, 0.0) + time.perf_counter() - began
        self.t = self.quiet_end_t
        self.wait_for_fetch_records()
        self.hub.set_clock(self.instant(self.t))

    def next_hub_instant(self) -> float:
        if not self.every_poll:
            return min(self.due.values(), default=math.inf)
        first = (
            Channel.objects.exclude(import_url="")
            .order_by("next_poll_at")
            .values_list("next_poll_at", flat=True)
            .first()
        )
        return math.inf if first is None else max(self.t, self.t_of(first))

    def hub_step(self, t: int) -> None:
        """Let the real worker import every channel due at ``t``, and wait until it is done."""
        self.t = t
        now = self.instant(t)
        if self.every_poll:
            channels = list(
                Channel.objects.exclude(import_url="")
                .filter(next_poll_at__lte=now)
                .values_list("id", flat=True)
            )
        else:
            channels = [ch for ch, due in self.due.items() if due == t]
        # The platforms' fetches since the last step are recorded a moment after they were
        # served, but the hub's clock is about to move by minutes: let them land first, as
        # they do in the world this models, where imports come minutes apart.
        self.wait_for_fetch_records()
        self.hub.set_clock(now)
        # The first step imports every channel at once: allow a second for each.
        self.hub.wait_until_idle(now, timeout_s=20 + len(channels))
        self.hub_steps += 1
        next_polls = dict(Channel.objects.filter(id__in=channels).values_list("id", "next_poll_at"))
        for ch in channels:
            source, unit = self.unit_of_channel[ch]
            scheduled = next_polls[ch]
            self.hub_next[ch] = t + self.interval if scheduled is None else self.t_of(scheduled)
            self.seen[ch] = self.listings[(source, unit)].content(self.today())
            self.seen_served[ch] = self.served_version[ch]
            self.due.pop(ch, None)
        # A change held for confirmation (docs/domain.md rule 7) waits for the next fetch to
        # confirm it:
        # that poll is not a no-op, so the channel stays due.
        held = set(
            HeldChange.objects.filter(channel_id__in=channels).values_list("channel_id", flat=True)
        )
        for ch in held:
            self.seen[ch] = None
        if not self.every_poll:
            # Parked: no schedule at all, so the worker leaves it until the simulation sets one.
            Channel.objects.filter(id__in=channels).update(next_poll_at=None)
        for ch in held:
            self.touch(*self.unit_of_channel[ch])
        for unit in sorted({self.unit_of_channel[ch][1] for ch in channels}):
            self.check_hub(unit)

    def wait_for_fetch_records(self) -> None:
        expected = {ch: self.fetches_of[ch] for ch in self.fetched_since_step}
        self.hub.wait_until_fetches_recorded(expected, 20)
        self.fetched_since_step.clear()

    def touch(self, source: str, unit: int) -> None:
        """Schedule the hub's next real poll of a channel whose feed or history changed.

        The hub's polls in between would have read the same bytes and served history,
        changing nothing but timestamps: they are skipped, and the schedule stepped on by
        jittered intervals exactly as the hub itself would.
        """
        if self.every_poll or source == "direct":
            return
        ch = self.hub_units[unit].channel_of[source]
        if ch in self.due:
            return
        content = self.listings[(source, unit)].content(self.today())
        if self.seen.get(ch) == content and self.seen_served.get(ch) == self.served_version[ch]:
            return
        due = self.hub_next[ch]
        while due <= self.t:
            due += round(self.interval * (0.9 + 0.2 * self.jitter.random()))
            self.skipped_polls += 1
        self.hub_next[ch] = due
        self.due[ch] = due
        Channel.objects.filter(pk=ch).update(next_poll_at=self.instant(due))

    def record_skipped_polls(self) -> None:
        """Record on every channel what its skipped polls would have: a success.

        A poll that reads an unchanged feed is an import that succeeded; without this, a
        channel whose feed rests for a day would look stale to the hub and alert the host.
        A channel waiting for its next real poll was last polled less than one interval
        ago, before its feed changed: "now" is that close.
        """
        if self.every_poll:
            return
        now = self.instant(self.t)
        resting = Channel.objects.exclude(import_url="").filter(claimed_until__isnull=True)
        with transaction.atomic():
            # Rows locked in the order of their ids, as the hub's fetch writer does: two
            # writers of many channels that lock them in different orders deadlock.
            list(resting.select_for_update().order_by("pk").values_list("pk", flat=True))
            resting.update(last_attempt_at=now, last_success_at=now)

    # Platforms reading the hub --------------------------------------------------------

    def platform_poll(self, platform: str, unit: int) -> None:
        """A platform fetches the hub's export for a listing, as its own importer does."""
        listing = self.listings[(platform, unit)]
        fault = self.faults.get((platform, unit))
        if fault is not None and fault.kind == "stops" and self.t >= fault.at:
            return  # the link was removed there: it never fetches again
        hub_unit = self.hub_units[unit]
        self.hub.set_clock(self.instant(self.t))
        headers = {"User-Agent": _USER_AGENTS[platform]}
        if listing.imported_etag:
            headers["If-None-Match"] = listing.imported_etag
        status, etag, body = self.reader.get(hub_unit.feed_url_of[platform], headers)
        if status not in (200, 304):
            # A platform takes an answer like 404 for a removed link: never one from the hub.
            raise RuntimeError(f"the hub answered {status} to {platform}'s fetch of unit {unit}")
        self.platform_fetches += 1
        # A web process records the fetch a moment later (feeds.fetch_records), with the
        # time it was served; the hub's next import must find it (see hub_step).
        self.fetches_of[hub_unit.channel_of[platform]] += 1
        self.fetched_since_step.add(hub_unit.channel_of[platform])
        if status == 200:
            fetched = frozenset(nights_in(body))
            with listing.lock:
                listing.imported = self.applied(platform, unit, fault, listing.imported, fetched)
        with listing.lock:
            listing.imported_etag = etag
            listing.fetch_times.append(self.t)
        self.remember_served(hub_unit.channel_of[platform], etag)
        self.touch(platform, unit)
        if fault is None:
            self.measures.check_platform(
                unit, platform, self.t, listing.imported, self.expected_nights
            )
        self.observe_listing(platform, unit)
        self.at(self.t + self.poll_interval_of[platform], "poll", platform, unit)

    def applied(
        self,
        platform: str,
        unit: int,
        fault: Fault | None,
        before: frozenset[int],
        fetched: frozenset[int],
    ) -> frozenset[int]:
        """Return the nights a listing blocks after a fetch, as its fault lets it."""
        if fault is None or self.t < fault.at:
            return fetched
        if fault.kind == "late":
            self.at(self.t + fault.late_s, "apply", platform, unit, fetched)
            return before
        # Not applying: it frees the nights the hub no longer sends, and blocks no new one.
        if fault.kind == "not_applying" and any(n >= self.today() for n in fetched - before):
            self.first_unapplied_fetch.setdefault((platform, unit), self.t)
        return before & fetched

    def apply_late(self, platform: str, unit: int, nights: frozenset[int]) -> None:
        """A listing that applies late blocks what it fetched ``late_s`` ago."""
        listing = self.listings[(platform, unit)]
        with listing.lock:
            listing.imported = nights
        self.touch(platform, unit)
        self.observe_listing(platform, unit)

    def remember_served(self, ch: int, etag: str) -> None:
        """Follow the hub's record of what it served (docs/domain.md rule 8) as it changes."""
        history = self.served[ch]
        if history == [etag] * SERVED_HISTORY_LENGTH:
            return
        self.served[ch] = [etag, *history][:SERVED_HISTORY_LENGTH]
        self.served_version[ch] += 1

    # What is true ---------------------------------------------------------------------

    def expected_nights(self, unit: int, platform: str) -> set[int]:
        """Return the real nights the hub should send a platform: all but its own."""
        nights: set[int] = set()
        for item in self.unit_items[unit]:
            if item.is_active and item.source != platform:
                nights.update(range(*item.nights))
        return nights

    def real_nights(self, unit: int) -> set[int]:
        return self.expected_nights(unit, "")

    def record_change(self, item: Item, nights: set[int]) -> None:
        # Faulty listings are counted apart (``sim.faults``): a change never reaches them.
        platforms = {
            s.id
            for s in self.scenario.importing
            if s.id != item.source and (s.id, item.unit) not in self.faults
        }
        change = Change(self.t, item.unit, item.source, frozenset(nights), platforms)
        self.measures.record_change(change)
        # Checked at once: a change the exports already show (nights another booking holds
        # too) has nothing to wait for, and would otherwise wait for the unit's next import.
        self.check_hub(item.unit)
        self.at(self.t + late_after_s(self) + 1, "late_check", item.unit)

    def check_hub(self, unit: int) -> None:
        exports = export_nights(self.hub_units[unit])
        self.measures.check_hub(unit, self.t, exports, self.expected_nights)
        for change in self.measures.pending.get(unit, []):
            if not change.traced and is_late(self, change) and len(self.late_traces) < TRACES_KEPT:
                change.traced = True
                self.late_traces.append(trace_late_change(self, change))
        for platform, nights in exports.items():
            self.observe(f"hub export {unit}/{platform}", nights)

    # Loops ----------------------------------------------------------------------------

    def observe(self, name: str, nights: set[int] | frozenset[int]) -> None:
        if self.measures.observing_from is None:
            return
        horizon = self.instant(self.quiet_end_t).astimezone(PARIS).date().toordinal()
        self.measures.observe_feed(name, self.t, tuple(sorted(n for n in nights if n >= horizon)))

    def observe_listing(self, source: str, unit: int) -> None:
        listing = self.listings[(source, unit)]
        nights: set[int] = set()
        for event in listing.content(self.today()):
            if event.kind != "horizon":
                nights.update(range(event.start, event.end))
        self.observe(f"{source} listing {unit}", nights)

    def observe_everything(self) -> None:
        for unit in range(self.scenario.units):
            self.check_hub(unit)
            for source, listing_unit in self.listings:
                if listing_unit == unit:
                    self.observe_listing(source, unit)


class FeedReader:
    """Fetch the hub's feeds over one kept-alive connection, as cheaply as HTTP allows."""

    def __init__(self) -> None:
        self._connection: http.client.HTTPConnection | None = None

    def get(self, url: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
        """Return the status, ETag and body of a GET; reconnect once if the hub hung up."""
        try:
            return self._get(url, headers)
        except (http.client.HTTPException, OSError):
            self._close()
            return self._get(url, headers)

    def _get(self, url: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
        parts = urlsplit(url)
        if self._connection is None:
            self._connection = http.client.HTTPConnection(parts.netloc, timeout=30)
        self._connection.request("GET", parts.path, headers=headers)
        response = self._connection.getresponse()
        body = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self._close()
        return response.status, response.getheader("ETag", ""), body

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None


def nights_in(body: bytes) -> set[int]:
    """Return the nights an all-day feed blocks, as a platform's importer reads it."""
    nights: set[int] = set()
    start = None
    for kind, value in _DATE_LINE.findall(body):
        ordinal = datetime.strptime(value.decode(), "%Y%m%d").date().toordinal()
        if kind == b"START":
            start = ordinal
        elif start is not None:
            nights.update(range(start, ordinal))
            start = None
    return nights
