"""Each platform's own steps: where its calendar link is, and where our link goes.

Facts gathered from the platforms' owner spaces as hosts describe them; one entry per
preset of ``core.platforms`` (a test fails on a preset left with the generic steps).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PlatformHelp:
    find_theirs: tuple[Promise, ...]
    paste_ours: tuple[Promise, ...]
    # Said above the steps: one way only, a request to make first, how often it reads us.
    note: Promise | None = None


_NO_EXPORT = _(
    "This platform reads a calendar link but gives none: we send it your dates, "
    "and bookings taken there must be entered here by hand."
)
_NO_IMPORT = _(
    "This platform gives its calendar link but reads none: we read its bookings, and "
    "the dates taken elsewhere must be closed there by hand."
)

STEPS: dict[str, PlatformHelp] = {
    "airbnb": PlatformHelp(
        (
            _("On Airbnb, as a host, open Listings and choose the listing."),
            _("Open Availability and scroll down to “Sync calendars”."),
            _("Choose “Export calendar” and copy the link: it ends in .ics."),
        ),
        (
            _("In the same place, choose “Import calendar”."),
            _("Paste our export link and name it, for example “icalbridge”."),
            _("Airbnb reads it about every three hours; the status above shows when it did."),
        ),
    ),
    "booking": PlatformHelp(
        (
            _("In the Booking.com extranet, open Rates & Availability (or Calendar)."),
            _("Choose the room, then scroll below the calendar to “Sync calendars”."),
            _("Click “Export calendar”, then “Copy link”."),
        ),
        (
            _("On the same page, click “Import calendar”."),
            _("Paste our export link, give it a name and save."),
            _("Do it for each room: every room has its own pair of links."),
        ),
    ),
    "abritel": PlatformHelp(
        (
            _("In your Abritel / Vrbo owner space, open Calendar, then Reservations."),
            _("Click the “Import/Export calendar” icon, then “Export calendar”."),
            _("Copy the link shown (right click, “Copy link address”)."),
        ),
        (
            _("In the same menu, choose “Import calendar”."),
            _("Paste our export link, name it and save."),
        ),
    ),
    "gites-de-france": PlatformHelp(
        (
            _("Log in to your Gîtes de France owner office (prop.itea.fr)."),
            _("Open the Planning tab, then “Planning synchronisation - iCal”."),
            _("Copy the link of the gîte or the room concerned."),
        ),
        (
            _("In the same owner office, find “Get the planning from an external platform”."),
            _("Name the calendar “icalbridge”, paste our link and click Add."),
            _("If the section is missing, ask your local Gîtes de France office to open it."),
        ),
        _("Gîtes de France may take until the next day to read our link for the first time."),
    ),
    "gites-de-france-loiret": PlatformHelp(
        (
            _("On gites-de-france-loiret.com, open “My space” and log in."),
            _("Open the Menu (top right), then “Synchronise my planning”."),
            _("Choose the accommodation and copy the link under “Planning export”."),
        ),
        (
            _("On the same page, under “Planning import”, click “Add a new platform”."),
            _("Name it “icalbridge”, paste our link and click Add."),
        ),
    ),
    "feratel": PlatformHelp(
        (
            _("In Feratel Deskline (given by your Gîtes de France office), open Data maintenance."),
            _("Choose “iCal calendar settings”."),
            _("Copy the planning link of the gîte or the room concerned."),
        ),
        (
            _("In “iCal calendar settings”, under “Import external calendar”, click Add a link."),
            _("Paste our link in the URL field and name it “icalbridge”."),
        ),
        _("Only if your Gîtes de France office has given you Feratel Deskline."),
    ),
    "cybevasion": PlatformHelp(
        (),
        (
            _("In your Cybevasion owner space, open Availability, then Planning."),
            _("Below the calendar, click “Import your plannings”."),
            _("Paste our link in the window that opens, then click “Import this planning”."),
            _("Cybevasion reads it once or a few times a day."),
        ),
        _NO_EXPORT,
    ),
    "amivac": PlatformHelp(
        (),
        (
            _("On Amivac.com, in your owner space, open “My listing”."),
            _("In the menu on the left, choose “Listing settings”."),
            _("Paste our link in the calendar field and click “Synchronise”."),
            _("Click Save: Amivac then reads it every night."),
        ),
        _NO_EXPORT,
    ),
    "seloger-vacances": PlatformHelp(
        (),
        (
            _("In your SeLoger Vacances owner space, open “My listing”, then “Listing settings”."),
            _("Under “Calendar import and export”, find the iCal calendar address field."),
            _("Paste our link and confirm: the dates already entered there are replaced."),
            _("Click Save; the availability then follows our link by itself."),
        ),
        _NO_EXPORT,
    ),
    "google": PlatformHelp(
        (
            _("In Google Calendar on a computer, open the gear menu, then Settings."),
            _("Under “Settings for my calendars”, choose the calendar of your bookings."),
            _("Under “Integrate calendar”, copy the “Secret address in iCal format”."),
            _("The public address works only if the calendar is public: prefer the secret one."),
        ),
        (
            _("In Google Calendar, next to “Other calendars”, click + then “From URL”."),
            _("Paste our link and add it."),
            _("Google reads it every 8 to 24 hours, and offers no way to hurry it."),
        ),
    ),
    "expedia": PlatformHelp(
        (
            _(
                "On Expedia Partner Central, open “Rooms and rates”, then “Room types and rate plans”."
            ),
            _("On the right, click “Synchronise calendars” and choose the room or unit."),
            _("Copy the export link shown under the import field."),
        ),
        (
            _("In the same window, name the calendar “icalbridge”."),
            _("Paste our link in the import field and save."),
        ),
    ),
    "tripadvisor": PlatformHelp(
        (
            _("On Tripadvisor, logged in as an owner, open Calendar."),
            _("Look for its calendar export link next to the sync options, and copy it."),
        ),
        (
            _("Under “Sync other calendars”, click Import."),
            _("Paste our link, name it, then click Import."),
            _("Tripadvisor reads it about once a day."),
        ),
    ),
    "ingenie": PlatformHelp(
        (
            _("In your Ingenie back office, open the planning of the accommodation."),
            _("Look for the iCal synchronisation and copy the export link."),
        ),
        (
            _("In the same place, add an iCal calendar to import."),
            _("Paste our link, name it “icalbridge” and save."),
        ),
    ),
    "reservit": PlatformHelp(
        (
            _("Ask your Reservit account manager whether iCal is switched on for you."),
            _(
                "In the Reservit manager, open Hotel, then Distribution channels, Distributor "
                "mappings, “Holiday rental interfaces”."
            ),
            _("Click Add, choose a channel and the offer (room, rate or product)."),
            _("Copy the link in the “Availability calendar URL” column, then Save."),
        ),
        (),
        _NO_IMPORT,
    ),
    "ke-booking": PlatformHelp(
        (
            _("In Ke-booking, open the rentals planning."),
            _("Click the iCal button of the rental concerned."),
            _("Enter the name “icalbridge”, then click the button that makes the link."),
            _("Copy the link (right click, “Copy link address”)."),
        ),
        (),
        _NO_IMPORT,
    ),
    "manava": PlatformHelp(
        (
            _("On a computer, open your Manava space, then Options, “Calendar in iCal format”."),
            _("Choose the accommodation whose planning you want to share."),
            _("Tick “Public data”, then copy the link in “Obtained URL”."),
            _("This needs Manava's “iCal link” module in your subscription."),
        ),
        (),
        _NO_IMPORT,
    ),
    "amenitiz": PlatformHelp(
        (
            _("In your Amenitiz back office, open the settings of the room concerned."),
            _("Look for its iCal synchronisation and copy the export link."),
            _("Each room has its own link: repeat for each one."),
            _("If you do not find it, Amenitiz support can give you the link."),
        ),
        (),
        _NO_IMPORT,
    ),
    "eviivo": PlatformHelp(
        (
            _("On eviivo, open Settings, then Rooms."),
            _("Tick the room concerned, click the three dots at the end of its line, then iCal."),
            _("Check that “Enable iCal” is ticked."),
            _("Under Export, copy the link shown, then Save."),
        ),
        (),
        _NO_IMPORT,
    ),
    "thais-soft": PlatformHelp(
        (
            _("On a computer, open your Thaïs space and click the Config tab (top right)."),
            _("In the menu on the left, click About."),
            _("Click “iCal synchronisation URLs”: a window lists the link of each room."),
            _("Copy the link of the room concerned (right click, “Copy link address”)."),
        ),
        (),
        _NO_IMPORT,
    ),
    "open-pro": PlatformHelp(
        (
            _("In your Open Pro owner space, choose the accommodation."),
            _("Click “Add a synchronisation” and choose export and import, then confirm."),
            _("In the window that opens, copy the Open Pro calendar link."),
        ),
        (
            _("In the same window, paste our link and give it a name."),
            _("Open Pro reads it about every two hours."),
        ),
    ),
    "outlook": PlatformHelp(
        (
            _("In Outlook on the web, open Settings, Calendar, then “Shared calendars”."),
            _("Under “Publish a calendar”, choose the calendar and “Can view all details”."),
            _("Click Publish, then copy the ICS link (not the HTML one)."),
            _("To see our bookings in Outlook instead, use a personal agenda link."),
        ),
        (),
        _(
            "We read your Outlook calendar. Outlook itself refreshes a subscribed link about "
            "every three hours, sometimes after more than a day."
        ),
    ),
    "apple": PlatformHelp(
        (
            _("On a Mac, in Calendar, right-click the calendar, then Sharing Settings."),
            _("Tick “Public Calendar” and copy the link shown (it starts with webcal://)."),
            _("On iPhone: Calendars, the ⓘ next to the calendar, “Public Calendar”, Share Link."),
            _("To see our bookings in Apple Calendar instead, use a personal agenda link."),
        ),
        (),
        _("We read your iCloud calendar; paste its webcal:// link as it is."),
    ),
    "other": PlatformHelp(
        (
            _("In the platform's settings, look for “calendar sync”, “iCal” or “export calendar”."),
            _("Copy the link it gives: it usually ends in .ics."),
        ),
        (
            _("Look for “import calendar” or “add an iCal link”."),
            _("Paste our export link there and save."),
        ),
    ),
}
