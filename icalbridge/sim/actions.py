"""What guests and the host do: book, cancel, change dates, block and unblock.

A guest books only nights the platform believes free; the host, booking directly or
blocking on their own agenda, looks at the hub's calendar. Every action that lands on
nights another source already sold is a real double booking, recorded with what the
acting side knew (its last fetch of the hub's feed).
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime, time, timedelta

from icalbridge.bookings.local_bookings import (
    cancel_booking,
    create_local_booking,
    update_local_booking,
)
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights, StayTimes, Timed, nights_of
from icalbridge.hub.models import Booking, Unit
from icalbridge.sim.hub_data import hub_occupied_nights
from icalbridge.sim.measures import DoubleBooking
from icalbridge.sim.scenario import SourceSpec
from icalbridge.sim.world import HORIZON_END_DAYS, PARIS, World
from icalbridge.sim.world_state import Item, Run

ATTEMPTS = 3
# How often the channels get the success their skipped polls would have recorded: well
# within the hub's 24 hours before a resting feed is stale, whatever the length of a day.
SKIPPED_POLLS_EVERY_S = 3600
# The hub's default check-in and check-out times, which every simulated unit keeps.
STAY = StayTimes(PARIS, time(16, 0), time(10, 0))


class Actions:
    """The world's events, registered on it by name."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.next_id = 0
        world.actions.update(
            arrive=self.arrive,
            block=self.block,
            cancel=self.cancel,
            move=self.move,
            day=self.new_day,
            skipped_polls=self.record_skipped_polls,
            poll=world.platform_poll,
        )

    def schedule_beginning(self) -> None:
        """Schedule the first guests, blocks, platform fetches and days."""
        world, rng = self.world, self.world.rng
        for unit in range(world.scenario.units):
            for spec in world.scenario.sources:
                if spec.bookings_per_week > 0:
                    world.at(
                        rng.expovariate(spec.bookings_per_week / 7 / 86400), "arrive", spec, unit
                    )
                if spec.owner_blocks_per_month > 0:
                    rate = spec.owner_blocks_per_month / 30 / 86400
                    world.at(rng.expovariate(rate), "block", spec, unit)
                if spec.imports_hub:
                    world.at(rng.uniform(0, spec.poll_interval_s), "poll", spec.id, unit)
        self.new_day()
        self.record_skipped_polls()

    # Days -------------------------------------------------------------------------------

    def new_day(self) -> None:
        """Move Airbnb's horizon, trim past stays, and schedule the next local midnight."""
        world = self.world
        today = world.today()
        window = world.scenario.booking_window_days
        for (source, unit), listing in world.listings.items():
            if source == "airbnb":
                with listing.lock:
                    listing.horizon = (today + window, today + HORIZON_END_DAYS)
                    listing.horizon_uid = f"horizon-{listing.key}"
            world.touch(source, unit)
        midnight = datetime.combine(
            world.instant(world.t).astimezone(PARIS).date() + timedelta(days=1), time(0), PARIS
        )
        world.at(world.t_of(midnight), "day")

    def record_skipped_polls(self) -> None:
        """Record the skipped polls' success every hour, not at midnight.

        A local day lasts 25 hours the night clocks go back: a success recorded at each
        midnight made every resting feed look more than a day old to the hub that night.
        """
        self.world.record_skipped_polls()
        self.world.at(self.world.t + SKIPPED_POLLS_EVERY_S, "skipped_polls")

    # Guests and host --------------------------------------------------------------------

    def arrive(self, spec: SourceSpec, unit: int) -> None:
        world = self.world
        world.at(
            world.t + world.rng.expovariate(spec.bookings_per_week / 7 / 86400),
            "arrive",
            spec,
            unit,
        )
        for _ in range(ATTEMPTS):
            nights = self.pick_nights(2, 8)
            if self.is_free_for(spec.id, unit, nights):
                item = self.add_item(spec, unit, nights, reservation=True)
                self.follow_up(spec, item, cancel=spec.cancel_share, move=spec.change_share)
                return

    def block(self, spec: SourceSpec, unit: int) -> None:
        world = self.world
        rate = spec.owner_blocks_per_month / 30 / 86400
        world.at(world.t + world.rng.expovariate(rate), "block", spec, unit)
        for _ in range(ATTEMPTS):
            nights = self.pick_nights(1, 5)
            if self.is_free_for(spec.id, unit, nights):
                item = self.add_item(spec, unit, nights, reservation=False)
                self.follow_up(spec, item, cancel=spec.unblock_share, move=0.0)
                return

    def pick_nights(self, shortest: int, longest: int) -> Run:
        rng, today = self.world.rng, self.world.today()
        lead = int(rng.triangular(1, self.world.scenario.lead_days_max, 10))
        start = today + lead
        return (start, start + rng.randint(shortest, longest))

    def is_free_for(
        self, source: str, unit: int, nights: Run, ignoring: Item | None = None
    ) -> bool:
        """Tell whether the acting side sees these nights free (its own view, not the truth)."""
        world = self.world
        if source in ("direct", "google"):
            taken = hub_occupied_nights(world.hub_units[unit].unit_id)
            if ignoring is not None and ignoring.hub_pk is not None:
                taken -= ignoring.night_set()
            listing = world.listings.get((source, unit))
            if listing is not None:
                taken |= listing.own_nights() - (ignoring.night_set() if ignoring else set())
            return not (set(range(*nights)) & taken)
        listing = world.listings[(source, unit)]
        if ignoring is None:
            return listing.believes_free(nights)
        with listing.lock:
            listing.own.pop(ignoring.uid)
        try:
            return listing.believes_free(nights)
        finally:
            with listing.lock:
                listing.own[ignoring.uid] = ignoring

    def follow_up(self, spec: SourceSpec, item: Item, *, cancel: float, move: float) -> None:
        world, rng = self.world, self.world.rng
        check_in = (item.nights[0] - world.today()) * 86400 + world.t
        when = rng.uniform(world.t + 600, max(world.t + 3600, check_in - 86400))
        roll = rng.random()
        if roll < cancel:
            world.at(when, "cancel", item.id)
        elif roll < cancel + move:
            world.at(when, "move", item.id)

    def add_item(self, spec: SourceSpec, unit: int, nights: Run, *, reservation: bool) -> Item:
        world = self.world
        self.next_id += 1
        item = Item(
            self.next_id,
            spec.id,
            unit,
            f"{spec.id}-{unit}-{self.next_id}",
            nights,
            reservation,
            world.t,
        )
        if spec.id == "google":
            item.timed, item.nights = self.agenda_times(nights)
        world.items[item.id] = item
        world.unit_items[unit].append(item)
        if spec.id == "direct":
            world.hub.set_clock(world.instant(world.t))
            booking = create_local_booking(
                Unit.objects.get(pk=world.hub_units[unit].unit_id),
                span=Nights(*(datetime.fromordinal(n).date() for n in item.nights)),
                kind=Kind.RESERVED if reservation else Kind.UNAVAILABLE,
                now=world.instant(world.t),
            )
            item.hub_pk = booking.pk
        else:
            listing = world.listings[(spec.id, unit)]
            with listing.lock:
                listing.own[item.uid] = item
            world.touch(spec.id, unit)
        if reservation:
            self.note_double_bookings(item)
        world.record_change(item, item.night_set())
        return item

    def agenda_times(self, nights: Run) -> tuple[tuple[datetime, datetime], Run]:
        """Return an agenda event over these days (09:00 to 18:00) and the nights it takes.

        docs/domain.md rule 10: a timed event occupies every night it overlaps between check-in and
        check-out, so a day of work from 09:00 also takes the night before.
        """
        first = datetime.fromordinal(nights[0]).replace(hour=9)
        last = datetime.fromordinal(nights[1] - 1).replace(hour=18)
        run = nights_of(Timed(first.replace(tzinfo=PARIS), last.replace(tzinfo=PARIS)), STAY)
        assert run is not None
        return (first, last), (run.start.toordinal(), run.end.toordinal())

    def cancel(self, item_id: int) -> None:
        world = self.world
        item = world.items[item_id]
        if not item.is_active:
            return
        item.cancelled_at = world.t
        self.end_double_bookings(item)
        if item.hub_pk is not None:
            world.hub.set_clock(world.instant(world.t))
            cancel_booking(Booking.objects.get(pk=item.hub_pk), now=world.instant(world.t))
        else:
            listing = world.listings[(item.source, item.unit)]
            with listing.lock:
                listing.own.pop(item.uid)
            world.touch(item.source, item.unit)
        world.record_change(item, item.night_set())

    def move(self, item_id: int) -> None:
        world, rng = self.world, self.world.rng
        item = world.items[item_id]
        if not item.is_active:
            return
        shift = rng.choice([-3, -2, -1, 1, 2, 3, 7, 14])
        length = max(1, item.nights[1] - item.nights[0] + rng.choice([-1, 0, 0, 1]))
        start = max(world.today() + 1, item.nights[0] + shift)
        nights = (start, start + length)
        if nights == item.nights or not self.is_free_for(
            item.source, item.unit, nights, ignoring=item
        ):
            return
        old = item.night_set()
        self.end_double_bookings(item)
        listing = world.listings.get((item.source, item.unit))
        with listing.lock if listing is not None else nullcontext():
            item.nights = nights
            item.since = world.t
        if item.hub_pk is not None:
            world.hub.set_clock(world.instant(world.t))
            update_local_booking(
                Booking.objects.get(pk=item.hub_pk),
                span=Nights(*(datetime.fromordinal(n).date() for n in nights)),
                now=world.instant(world.t),
            )
        else:
            world.touch(item.source, item.unit)
        self.note_double_bookings(item)
        world.record_change(item, old | item.night_set())

    # Double bookings --------------------------------------------------------------------

    def note_double_bookings(self, item: Item) -> None:
        world = self.world
        mine = item.night_set()
        listing = world.listings.get((item.source, item.unit))
        view_at = world.t if listing is None else listing.last_fetch_at
        for other in world.unit_items[item.unit]:
            if (
                other.is_active
                and other.is_reservation
                and other.source != item.source
                and mine & other.night_set()
            ):
                world.measures.double_bookings.append(
                    DoubleBooking(
                        item.id, other.id, item.source, world.t, view_at, other.since, other.source
                    )
                )

    def end_double_bookings(self, item: Item) -> None:
        for double in self.world.measures.double_bookings:
            if double.ended_at is None and item.id in (double.first_id, double.second_id):
                double.ended_at = self.world.t
