"""Where to find each platform's calendar link and where to paste ours, step by step."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from icalbridge.core.platforms import Platform


@dataclass(frozen=True)
class PlatformHelp:
    find_theirs: tuple[Promise, ...]
    paste_ours: tuple[Promise, ...]


_HELP: dict[str, PlatformHelp] = {
    "airbnb": PlatformHelp(
        (
            _("On Airbnb, open Calendar and choose the listing."),
            _("Open Availability, then “Connect calendars” (or “Sync calendars”)."),
            _("Choose “Export calendar” and copy the link: it ends in .ics."),
        ),
        (
            _("In the same place, choose “Import calendar”."),
            _("Paste our export link and name it, for example “icalbridge”."),
            _("Airbnb reads it every few hours; the status below shows when it did."),
        ),
    ),
    "booking": PlatformHelp(
        (
            _("In the Booking.com extranet, open Rates & Availability, then “Sync calendars”."),
            _("Choose “Add calendar connection” and pick the room."),
            _("Copy the Booking.com link shown under “Export calendar”."),
        ),
        (
            _("On the same page, paste our export link under “Import calendar”."),
            _("Give it a name and save; Booking.com reads it about every two hours."),
        ),
    ),
    "abritel": PlatformHelp(
        (
            _("In your Abritel / Vrbo owner space, open Calendar."),
            _("Choose “Import/Export”, then “Export calendar”, and copy the link."),
        ),
        (
            _("In the same menu, choose “Import calendar”."),
            _("Paste our export link, name it and save."),
        ),
    ),
    "gites-de-france": PlatformHelp(
        (
            _("In your Gîtes de France owner space, open your planning."),
            _("Find “iCal synchronisation” and copy the export link."),
        ),
        (
            _("On the same page, paste our export link in the import field."),
            _("If there is no such field, send our link to your local Gîtes de France office."),
        ),
    ),
    "google": PlatformHelp(
        (
            _("In Google Calendar on a computer, open Settings and choose the calendar."),
            _("Under “Integrate calendar”, copy the “Secret address in iCal format”."),
        ),
        (
            _("In Google Calendar, next to “Other calendars”, click + then “From URL”."),
            _("Paste our link and add it; Google refreshes it every few hours."),
        ),
    ),
}
_GENERIC = PlatformHelp(
    (
        _("In the platform's settings, look for “calendar sync”, “iCal” or “export calendar”."),
        _("Copy the link it gives: it usually ends in .ics."),
    ),
    (
        _("Look for “import calendar” or “add an iCal link”."),
        _("Paste our export link there and save."),
    ),
)


def help_for(platform: Platform) -> PlatformHelp:
    """Return the steps for a platform; a generic guide for those without their own."""
    if platform.id.startswith("gites-de-france"):
        return _HELP["gites-de-france"]
    return _HELP.get(platform.id, _GENERIC)
