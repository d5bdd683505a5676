"""Week and day views of timed bookings: one unit's, or every unit's of the organization.

Adding, moving and cancelling go through the month grid's booking form and pages
(``web/bookings``), which bring the host back here afterwards.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from icalbridge import clock
from icalbridge.core.day_hours import week_of
from icalbridge.hub.models import Membership, Unit
from icalbridge.web import calendar_grid
from icalbridge.web.agenda_entries import UnitBookings, unit_bookings
from icalbridge.web.permissions import active_membership, unit_for
from icalbridge.web.time_grid import Column, TimeGrid, build_time_grid
from icalbridge.web.week_planning import build_planning

# The dates a view may show: the API's bounds for bookings, far from datetime's edges.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 24)
_CELL = re.compile(r"^(\d{1,3})-(\d{1,2}):(\d{2})$")
_PLAN_CELL = re.compile(r"^(\d{1,2})-(\d{1,4})$")


@login_required
def unit_home(request: HttpRequest, unit_id: str) -> HttpResponse:
    """Open a unit on its week when it is booked by the hour, else on its month."""
    unit, _membership = unit_for(request, unit_id)
    if unit.booked_by_the_hour and "month" not in request.GET:
        return redirect("unit_week", unit_id=unit.public_id)
    return calendar_grid.unit_calendar(request, unit_id)


@login_required
def unit_week(request: HttpRequest, unit_id: str) -> HttpResponse:
    """Show a unit's week, hour by hour, in the unit's time zone."""
    return _unit_view(request, unit_id, "week")


@login_required
def unit_day(request: HttpRequest, unit_id: str) -> HttpResponse:
    """Show a unit's day, hour by hour, in the unit's time zone."""
    return _unit_view(request, unit_id, "day")


@login_required
def agenda_day(request: HttpRequest) -> HttpResponse:
    """Show one day of every unit side by side, each in its own time zone."""
    asked = _organization_asked(request)
    if isinstance(asked, HttpResponse):
        return asked
    columns = [
        Column(bookings, asked.day, bookings.unit.name, bookings.unit.name, is_today=False)
        for bookings in unit_bookings(asked.units, asked.day, asked.day, asked.back)
    ]
    context = _navigation(request, "day", asked.day, asked.problem) | {
        "membership": asked.membership,
        "grid": _grid(request, columns, asked.back, asked.membership),
        "units": asked.units,
        "title": date_format(asked.day, "l j F Y"),
        "categories": _categories([c.bookings for c in columns]),
    }
    return render(request, "web/agenda_grid.html", context)


@login_required
def agenda_week(request: HttpRequest) -> HttpResponse:
    """Show the week of every unit: a row per day, a column per unit."""
    asked = _organization_asked(request)
    if isinstance(asked, HttpResponse):
        return asked
    days = week_of(asked.day)
    bookings = unit_bookings(asked.units, days[0], days[-1], asked.back)
    focus = _PLAN_CELL.match(request.GET.get("cell", ""))
    rows = build_planning(
        bookings,
        days,
        asked.back,
        today=asked.today,
        can_edit=asked.membership.can_edit,
        focus=(int(focus[1]), int(focus[2])) if focus else None,
    )
    context = _navigation(request, "week", asked.day, asked.problem) | {
        "membership": asked.membership,
        "units": asked.units,
        "rows": rows,
        "title": _week_title(days),
        "categories": _categories(bookings),
    }
    return render(request, "web/agenda_planning.html", context)


@dataclass(frozen=True)
class _Asked:
    """What every unit's view starts from: whose units, today where they are, the day asked."""

    membership: Membership
    units: list[Unit]
    today: date
    day: date
    problem: str
    back: str


def _organization_asked(request: HttpRequest) -> HttpResponse | _Asked:
    membership = active_membership(request)
    if membership is None:
        return render(request, "web/no_organization.html")
    units = list(membership.organization.units.all())
    today = _today_of(units)
    day, problem = _day_asked(request, today)
    return _Asked(membership, units, today, day, problem, request.get_full_path())


def _unit_view(request: HttpRequest, unit_id: str, period: str) -> HttpResponse:
    unit, membership = unit_for(request, unit_id)
    today = calendar_grid.local_today(unit)
    day, problem = _day_asked(request, today)
    days = week_of(day) if period == "week" else (day,)
    back = request.get_full_path()
    (bookings,) = unit_bookings([unit], days[0], days[-1], back)
    # Today stands out among the days of a week; a day alone needs no highlight.
    columns = [
        Column(bookings, d, date_format(d, "l j F"), date_format(d, "D j"), d == today)
        for d in days
    ]
    if period == "day":
        columns = [replace(c, is_today=False) for c in columns]
    grid = _grid(request, columns, back, membership)
    context = _navigation(request, period, day, problem) | {
        "unit": unit,
        "membership": membership,
        "grid": grid,
        "title": _week_title(days) if period == "week" else date_format(day, "l j F Y"),
        "month_query": day.strftime("%Y-%m"),
        "categories": _categories([bookings]),
    }
    return render(request, "web/agenda_grid.html", context)


def _grid(
    request: HttpRequest, columns: Sequence[Column], back: str, membership: Membership
) -> TimeGrid:
    focus = _CELL.match(request.GET.get("cell", ""))
    return build_time_grid(
        columns,
        back,
        can_edit=membership.can_edit,
        whole_day=request.GET.get("hours") == "all",
        focus=(int(focus[1]), time(int(focus[2]) % 24, int(focus[3]) % 60)) if focus else None,
    )


def _navigation(request: HttpRequest, period: str, day: date, problem: str) -> dict[str, Any]:
    """Return the links to the previous and next period, today, and the period's other views."""
    step = timedelta(days=7 if period == "week" else 1)
    keep = {"hours": "all"} if request.GET.get("hours") == "all" else {}

    def at(when: date, **more: str) -> str:
        return "?" + urlencode({"date": when.isoformat(), **keep, **more})

    return {
        "period": period,
        "day": day,
        "problem": problem,
        "previous": at(max(day - step, EARLIEST)),
        "next": at(min(day + step, LATEST)),
        "this_period": "?" + urlencode(keep) if keep else "?",
        "whole_day": at(day, hours="all"),
        "working_hours": "?" + urlencode({"date": day.isoformat()}),
        "shows_all_hours": bool(keep),
        "date_query": urlencode({"date": day.isoformat()}),
        "focus_asked": "cell" in request.GET,
    }


def _day_asked(request: HttpRequest, today: date) -> tuple[date, str]:
    """Return the day asked for (``?date=``), else today, with what was wrong with the asking."""
    raw = request.GET.get("date", "")
    if not raw:
        return today, ""
    try:
        asked = date.fromisoformat(raw)
    except ValueError:
        return today, _("“%(date)s” is not a date; here is today.") % {"date": raw[:40]}
    if not EARLIEST <= asked <= LATEST:
        return today, _("Choose a date between %(first)s and %(last)s; here is today.") % {
            "first": date_format(EARLIEST, "j F Y"),
            "last": date_format(LATEST, "j F Y"),
        }
    return asked, ""


def _today_of(units: Sequence[Unit]) -> date:
    """Return today where most of the organization's units are."""
    zones = Counter(u.timezone for u in units)
    zone = ZoneInfo(zones.most_common(1)[0][0] if zones else settings.TIME_ZONE)
    return clock.now().astimezone(zone).date()


def _week_title(days: Sequence[date]) -> str:
    """Name a week as a person says it: 9 to 15 March 2026, 30 March to 5 April 2026."""
    first, last = days[0], days[-1]
    shown = "j" if first.month == last.month else "j F" if first.year == last.year else "j F Y"
    return _("Week of %(first)s to %(last)s") % {
        "first": date_format(first, shown),
        "last": date_format(last, "j F Y"),
    }


def _categories(bookings: Sequence[UnitBookings]) -> list[str]:
    """Return the categories of the bookings shown, for the legend."""
    found = {e.category for b in bookings for e in b.entries.values() if e.category}
    return sorted(found, key=str.lower)
