"""Turn what the simulation saw into its report: one flat dictionary of figures."""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from django.db.models import Count, Q

from icalbridge.core.platforms import platform_by_id
from icalbridge.hub.models import Alert, AlertCause, Booking, Conflict, ImportOutcome, ImportRun
from icalbridge.sim.fault_detection import detection_report
from icalbridge.sim.faults import Fault
from icalbridge.sim.hub_data import describe_booking, export_nights
from icalbridge.sim.measures import DoubleBooking, percentile
from icalbridge.sim.parts import DELAYS_KEY
from icalbridge.sim.platform_styles import exported_uid
from icalbridge.sim.world import World
from icalbridge.sim.world_state import Item, dates_of


def build_report(world: World, wall_s: float) -> dict[str, Any]:
    """Return the report: ghosts and loops after the quiet period, double bookings, delays."""
    scenario = world.scenario
    report: dict[str, Any] = {
        "scenario": scenario.name,
        "units": scenario.units,
        "days": scenario.days,
        "sources": [s.id for s in scenario.sources],
        "hub_poll_interval_s": scenario.hub_poll_interval_s,
        "platform_poll_interval_s": {s.id: s.poll_interval_s for s in scenario.importing},
        "mode": "every-poll" if world.every_poll else "changed-feeds-only",
    }
    report.update(_ghosts(world))
    loops = world.measures.looping_feeds()
    report["loops"] = len(loops)
    report["looping_feeds"] = loops[:20]
    unseeable = [d for d in world.measures.double_bookings if _is_unseeable(world, d)]
    report.update(_double_bookings(world, unseeable))
    propagation = _propagation(world, unseeable)
    detection = detection_report(world)
    delays = {**propagation.pop(DELAYS_KEY), **detection.pop(DELAYS_KEY, {})}
    report.update(propagation, **detection)
    report[DELAYS_KEY] = delays
    report.update(
        bookings_made=sum(1 for i in world.items.values() if i.is_reservation),
        owner_blocks_made=sum(1 for i in world.items.values() if not i.is_reservation),
        changes=len(world.measures.changes),
        hub_alerts=dict(
            Alert.objects.values_list("cause").annotate(n=Count("id")).order_by("cause")
        ),
        hub_imports=ImportRun.objects.count(),
        hub_imports_held=ImportRun.objects.filter(outcome=ImportOutcome.HELD).count(),
        hub_steps=world.hub_steps,
        hub_polls_skipped_unchanged=world.skipped_polls,
        platform_fetches=world.platform_fetches,
        late_change_traces=world.late_traces,
        wall_s=round(wall_s, 1),
        wall_s_by_event={k: round(v, 1) for k, v in sorted(world.wall.items())},
    )
    return report


def _ghosts(world: World) -> dict[str, Any]:
    """Count nights blocked somewhere with nothing real behind them, and real ones missing."""
    end_day = world.today()
    ghost_hub = ghost_platform = missing = 0
    ghost_unit_nights: set[tuple[int, int]] = set()
    examples: list[str] = []
    lacking: list[str] = []
    for unit, hub_unit in enumerate(world.hub_units):
        real = world.real_nights(unit)
        exports = export_nights(hub_unit)
        for platform, nights in exports.items():
            listing = world.listings[(platform, unit)]
            # Nights the platform holds itself show taken there, whatever the hub sends.
            own = listing.own_nights()
            expected = {
                n for n in world.expected_nights(unit, platform) if n >= end_day and n not in own
            }
            future = {n for n in nights if n >= end_day}
            ghosts = future - real
            if ghosts:
                examples.append(f"hub export {unit}/{platform}: {dates_of(ghosts)}")
            ghost_hub += len(ghosts)
            ghost_unit_nights |= {(unit, n) for n in ghosts}
            missing += len(expected - future)
            if expected - future:
                lacking.append(f"hub export {unit}/{platform}: {dates_of(expected - future)}")
            if (platform, unit) in world.faults:
                continue  # what a faulty listing holds is its fault's (``sim.faults``)
            imported = {n for n in listing.imported if n >= end_day}
            ghosts = imported - real
            if ghosts:
                examples.append(f"{platform} listing {unit}: {dates_of(ghosts)}")
            ghost_platform += len(ghosts)
            ghost_unit_nights |= {(unit, n) for n in ghosts}
            missing += len(expected - imported)
            if expected - imported:
                lacking.append(f"{platform} listing {unit}: {dates_of(expected - imported)}")
    return {
        "ghost_nights": ghost_hub + ghost_platform,
        "ghost_nights_in_hub_exports": ghost_hub,
        "ghost_nights_on_platforms": ghost_platform,
        "ghost_unit_nights": len(ghost_unit_nights),
        "missing_nights": missing,
        "ghost_examples": examples[:20],
        "missing_examples": lacking[:20],
    }


def _hub_bookings(world: World, item: Item) -> list[int]:
    """Return the hub's bookings for an item: its event, and any piece of it the hub kept.

    The hub cuts the nights it served a platform out of that platform's blocks (rule 8 of
    docs/domain.md)
    and stores a block's second and later pieces as ``UID#2``, ``UID#3``.
    """
    if item.hub_pk is not None:
        return [item.hub_pk]
    channel = world.hub_units[item.unit].channel_of[item.source]
    uid = exported_uid(item.source, item.uid, is_reservation=item.is_reservation)
    return list(
        Booking.objects.filter(origin_id=channel)
        .filter(Q(remote_uid=uid) | Q(remote_uid__startswith=f"{uid}#"))
        .values_list("pk", flat=True)
    )


def _published_at(world: World, item: Item, since: int) -> int | None:
    """Return when the hub could first show an item: at once if entered there, else its next import."""
    if item.source == "direct":
        return since
    channel = world.hub_units[item.unit].channel_of[item.source]
    first = (
        ImportRun.objects.filter(channel_id=channel, started_at__gte=world.instant(since))
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return None if first is None else world.t_of(first)


def _double_bookings(world: World, unseeable: list[DoubleBooking]) -> dict[str, Any]:
    alert_within = int(1.1 * world.interval) + 60
    unavoidable = hub_caused = conflicts = recorded = alerted = resolved_while_real = 0
    matched: set[int] = set()
    unalerted: list[str] = []
    on_faulty = 0
    for double in world.measures.double_bookings:
        first = world.items[double.first_id]
        published = _published_at(world, first, double.first_since)
        if (double.source, world.items[double.second_id].unit) in world.faults:
            # Sold on a listing that does not read or apply the hub's dates: its fault's.
            on_faulty += 1
        elif _is_hub_caused(double, published):
            hub_caused += 1
        else:
            unavoidable += 1
        a = _hub_bookings(world, first)
        b = _hub_bookings(world, world.items[double.second_id])
        pair = Q(first_id__in=a, second_id__in=b) | Q(first_id__in=b, second_id__in=a)
        rows = list(Conflict.objects.filter(pair).values_list("pk", flat=True))
        matched.update(rows)
        if double in unseeable:
            continue
        lasted = (double.ended_at or world.quiet_end_t) - double.booked_at
        if lasted < alert_within:
            continue
        conflicts += 1
        still_real = double.ended_at is None
        if rows and still_real and not Conflict.objects.filter(pair, state="open").exists():
            resolved_while_real += 1
        if rows:
            recorded += 1
        if Alert.objects.filter(conflict_id__in=rows, cause=AlertCause.DOUBLE_BOOKING).exists():
            alerted += 1
        else:
            fault = world.faults.get((double.source, world.items[double.second_id].unit))
            on = f" (on a listing that {_fault_words(fault)})" if fault else ""
            unalerted.append(f"{first.source}:{first.uid} / {double.source}:{double.second_id}{on}")
    false_alarms = Conflict.objects.exclude(pk__in=matched).select_related("first", "second")
    return {
        "double_bookings": len(world.measures.double_bookings),
        "unavoidable_double_bookings": unavoidable,
        "hub_double_bookings": hub_caused,
        "double_bookings_on_faulty_listings": on_faulty,
        "double_bookings_no_ical_hub_can_see": len(unseeable),
        "unseeable_examples": [_unseeable_example(world, d) for d in unseeable][:20],
        "conflicts": conflicts,
        "conflicts_recorded": recorded,
        "conflicts_alerted": alerted,
        "conflicts_not_alerted": unalerted[:20],
        "conflicts_resolved_while_still_double_booked": resolved_while_real,
        "hub_conflict_rows": Conflict.objects.count(),
        "hub_conflicts_without_double_booking": false_alarms.count(),
        "false_alarm_examples": [_false_alarm_example(world, c) for c in false_alarms[:20]],
    }


def _false_alarm_example(world: World, conflict: Conflict) -> dict[str, Any]:
    """Return what stood behind a conflict no double booking of the world accounts for.

    The hub's two bookings, as it stored them, and the world's items on those nights,
    stays and closures, even those gone since: whether a stay met a closure that looks
    like a sale (docs/domain.md rule 9 alerts it), or the hub took nights it served for the
    platform's.
    """
    unit = next(i for i, u in enumerate(world.hub_units) if u.unit_id == conflict.unit_id)
    nights = set(range(conflict.start.toordinal(), conflict.end.toordinal()))
    items = [
        f"{i.source} {'stay' if i.is_reservation else 'closure'} {i.uid} {dates_of(i.night_set())}"
        f" since {world.instant(i.since):%m-%d %H:%M}"
        + ("" if i.cancelled_at is None else f", gone {world.instant(i.cancelled_at):%m-%d %H:%M}")
        for i in world.unit_items[unit]
        if i.night_set() & nights
    ]
    origins = (conflict.first.origin_id, conflict.second.origin_id)
    faults = [
        f"{source} {_fault_words(fault)} since {world.instant(fault.at):%m-%d %H:%M}"
        for (source, of_unit), fault in sorted(world.faults.items())
        if of_unit == unit and world.hub_units[unit].channel_of.get(source) in origins
    ]
    return {
        "unit": unit,
        "detected": f"{conflict.detected_at:%m-%d %H:%M}",
        "hub_bookings": [
            describe_booking(b, world.hub_units[unit]) for b in (conflict.first, conflict.second)
        ],
        "world_items": items,
        "faulty_listings": faults,
    }


def _fault_words(fault: Fault) -> str:
    """Say what a listing's fault (``sim.faults``) does, as a report names it."""
    if fault.kind == "late":
        return f"applies the hub's link {fault.late_s / 3600:g} h late"
    return {
        "stops": "stopped fetching the hub's link",
        "not_applying": "does not apply the hub's link",
    }[fault.kind]


def _is_unseeable(world: World, double: DoubleBooking) -> bool:
    """Tell whether one of the two bookings reached the hub only as an echo of the other.

    Booking.com exports a sale as the same "CLOSED" block as the dates it imported from
    us. When it fetched the other booking's nights from the hub after its sale but before
    the hub read its feed, the sale is, to any iCal reader, our own dates coming back
    (docs/domain.md rule 8): the hub can see it only once the other booking is gone.
    """
    first, second = world.items[double.first_id], world.items[double.second_id]
    return _seen_only_as_echo(world, first, double.first_since, second, double.booked_at) or (
        _seen_only_as_echo(world, second, double.booked_at, first, double.first_since)
    )


def _seen_only_as_echo(world: World, sale: Item, sold_at: int, other: Item, other_at: int) -> bool:
    try:
        if not platform_by_id(sale.source).blocks_may_be_reservations:
            return False
    except KeyError:
        return False
    shown = _published_at(world, other, other_at)
    if shown is None:
        return False
    read = _published_at(world, sale, sold_at)
    times = world.listings[(sale.source, sale.unit)].fetch_times
    after = bisect_left(times, max(sold_at, shown))
    return after < len(times) and (read is None or times[after] <= read)


def _unseeable_example(world: World, double: DoubleBooking) -> str:
    first, second = world.items[double.first_id], world.items[double.second_id]
    return (
        f"unit {second.unit}: {first.source} {dates_of(first.night_set())} and, at"
        f" {world.instant(double.booked_at):%m-%d %H:%M}, {second.source}"
        f" {dates_of(second.night_set())}"
    )


def _is_hub_caused(double: DoubleBooking, published: int | None) -> bool:
    """Tell whether the acting side read the hub after the hub should have shown the first."""
    return published is not None and double.view_at is not None and double.view_at >= published


def _propagation(world: World, unseeable: list[DoubleBooking]) -> dict[str, Any]:
    # A sale no iCal hub can see (see _is_unseeable) never reaches the exports as such.
    hidden = {(world.items[d.second_id].unit, d.source, d.booked_at) for d in unseeable}
    changes = [
        c
        for c in world.measures.changes
        if c.at < world.end_t and (c.unit, c.source, c.at) not in hidden
    ]
    hub = [float(c.hub_at - c.at) for c in changes if c.hub_at is not None]
    everywhere = [float(c.everywhere_at - c.at) for c in changes if c.everywhere_at is not None]
    result: dict[str, Any] = {}
    for name, values in (("propagation", hub), ("propagation_everywhere", everywhere)):
        for share in (50, 95, 99):
            result[f"{name}_p{share}_s"] = percentile(values, share / 100)
        result[f"{name}_max_s"] = max(values, default=None)
    slowest = sorted(changes, key=lambda c: -(c.hub_at - c.at if c.hub_at is not None else 1e12))
    result["slowest_changes"] = [
        f"{c.source} unit {c.unit} at {world.instant(c.at):%m-%d %H:%M} "
        f"{dates_of(set(c.nights))}: hub {None if c.hub_at is None else c.hub_at - c.at} s"
        for c in slowest[:5]
    ]
    # Every delay, so that the reports of a world run in parts can be merged exactly.
    result[DELAYS_KEY] = {"propagation": hub, "propagation_everywhere": everywhere}
    result["changes_never_in_hub_exports"] = sum(1 for c in changes if c.hub_at is None)
    result["changes_never_on_every_platform"] = sum(1 for c in changes if c.everywhere_at is None)
    return result
