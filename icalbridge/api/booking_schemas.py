"""What the API reads and writes about bookings, and how it reads their dates and times."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field, field_validator

from icalbridge.api.problems import invalid
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights, Span, Timed

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Bounds keep time-zone arithmetic off the edges of datetime (an OverflowError near
# year 9999) and keep one booking from making every export render millions of nights.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
LONGEST = timedelta(days=5 * 366)
_WHEN_HELP = "A date YYYY-MM-DD (all day), or a time with an offset, 2026-07-10T15:00:00+02:00."


class BookingIn(Schema):
    start: str = Field(description=_WHEN_HELP)
    end: str = Field(description=_WHEN_HELP + " For all-day bookings, the check-out day.")
    kind: Kind
    summary: str = Field("", max_length=300)
    category: str = Field("", max_length=80)
    note: str = ""
    channels: list[str] | None = Field(
        None, description="Channel ids to show it on; null for every channel of the unit."
    )


class BookingChange(Schema):
    """What PATCH changes on a local booking: the fields given, the others kept."""

    start: str | None = Field(
        None, description=_WHEN_HELP + " Given with end: where the booking moves."
    )
    end: str | None = Field(None, description="Given with start; as for creation.")
    kind: Kind | None = None
    summary: str | None = Field(None, max_length=300)
    category: str | None = Field(None, max_length=80)
    note: str | None = None
    channels: list[str] | None = Field(
        None,
        description="Channel ids to show it on; null for every channel of the unit; "
        "left out: unchanged.",
    )


class DeliveryOut(Schema):
    channel: str = Field(description="The id of a channel whose export holds the booking.")
    state: str = Field(description="waiting, fetched, confirmed or not_applied.")
    fetched_at: datetime | None = Field(
        description="The platform's first fetch of a version holding it."
    )
    confirmed_at: datetime | None = Field(
        description="When the platform's own feed first showed its nights blocked."
    )


class BookingOut(Schema):
    id: str
    unit: str
    origin: str = Field(description='"local", or the id of the channel it was imported from.')
    kind: Kind
    start: str
    end: str
    all_day: bool
    summary: str
    category: str
    note: str
    is_echo: bool
    is_horizon: bool
    channels: list[str] | None = Field(description="null: shown on every channel.")
    created_at: datetime
    updated_at: datetime
    delivery: list[DeliveryOut] = Field(
        description="Where it stands on each platform its export reaches; [] for none."
    )


class BookingRange(Schema):
    from_: date | None = Field(None, alias="from", description="First day, YYYY-MM-DD.")
    to: date | None = Field(None, description="Day after the last, YYYY-MM-DD (exclusive).")

    @field_validator("from_", "to")
    @classmethod
    def day_is_within_bounds(cls, value: date | None) -> date | None:
        if value is not None and not EARLIEST <= value <= LATEST:
            raise ValueError(
                _("Dates must lie between %(first)s and %(last)s.")
                % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
            )
        return value


def parse_when(field_name: str, text: str) -> date | datetime:
    """Return the date or aware datetime a client wrote; a 400 naming the field otherwise."""
    value = text.strip()
    try:
        moment: date | datetime = (
            date.fromisoformat(value) if _DATE.match(value) else datetime.fromisoformat(value)
        )
    except ValueError:
        raise invalid(
            field_name, _("%(value)r is not a date nor a time.") % {"value": text}
        ) from None
    day = moment.date() if isinstance(moment, datetime) else moment
    if not EARLIEST <= day <= LATEST:
        raise invalid(
            field_name,
            _("Dates must lie between %(first)s and %(last)s.")
            % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
        )
    if isinstance(moment, date) and not isinstance(moment, datetime):
        return moment
    if moment.tzinfo is None:
        raise invalid(
            field_name,
            _("A time needs its offset, e.g. %(example)s.")
            % {"example": moment.isoformat() + "+02:00"},
        )
    return moment


def span_of(start_text: str, end_text: str) -> Span:
    """Return the span from two client values of the same sort, the end after the start."""
    start, end = parse_when("start", start_text), parse_when("end", end_text)
    if isinstance(start, datetime) != isinstance(end, datetime):
        raise invalid("end", _("Give both ends as dates, or both as times."))
    if end <= start:  # type: ignore[operator]
        raise invalid("end", _("The booking must end after it starts."))
    if end - start > LONGEST:  # type: ignore[operator]
        raise invalid("end", _("A booking may last at most five years."))
    if isinstance(start, datetime):
        return Timed(start, end)  # type: ignore[arg-type]
    return Nights(start, end)  # type: ignore[arg-type]
