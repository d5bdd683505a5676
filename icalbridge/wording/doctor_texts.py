"""What the feed doctor (``icalbridge inspect URL``) adds to a fetch's or a reader's own words.

The facts (what the server answered, what the reader repaired) are worded once, in
``fetch_texts`` and ``problem_texts``; these sentences add what a host does about them, and
the summary of a calendar that can be imported. Keyed like the other tables: code, or
code:variant.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

DOCTOR_TEXTS: dict[str, Promise] = {
    "verdict:usable": _("Usable feed."),
    "verdict:unusable": _("This link cannot be imported as it is."),
    # Advice after a failed fetch's own sentence.
    "google_not_public": _(
        "This Google address only works when the calendar is public: make the calendar "
        "public, or copy its “Secret address in iCal format” again (it changes when reset)."
    ),
    "not_found": _("Copy the link again from the platform."),
    "refused": _(
        "Some servers also turn away calendar programs: they refuse requests without a "
        "browser's User-Agent."
    ),
    "timeout": _("Try again later; the platform may be down."),
    "too_large": _("Export a shorter period if the platform allows it."),
    "empty": _(
        "Platforms sometimes answer this by mistake; icalbridge keeps your bookings until a "
        "real calendar comes back."
    ),
    "login_page": _(
        "Check that it is the calendar's export link (.ics), not the address of the page "
        "that shows the calendar."
    ),
    "json": _(
        "The link points to the platform's programming interface; use its iCal (.ics) export link."
    ),
    "truncated": _(
        "The calendar is cut off: it did not arrive whole, so icalbridge frees no date from "
        "it; this usually passes on the next try."
    ),
    # A calendar that can be imported.
    "platform": _("Recognised platform: %(platform)s."),
    "platform:unknown": _("Platform not recognised."),
    "events:none": _("A valid calendar with no events."),
    "events": ngettext_lazy(
        "%(count)s event from %(first)s to %(last)s.",
        "%(count)s events from %(first)s to %(last)s.",
        "count",
    ),
    "only_past": _(
        "The calendar holds only past events (the last ends on %(last)s): the platform may "
        "have stopped updating this link."
    ),
    "short_horizon": ngettext_lazy(
        "The feed ends in %(days)s day: does the platform only export its next day?",
        "The feed ends in %(days)s days: does the platform only export its next %(days)s days?",
        "days",
    ),
    "repairs": ngettext_lazy(
        "%(count)s problem was repaired or skipped while reading; "
        "`icalbridge inspect FILE` lists it.",
        "%(count)s problems were repaired or skipped while reading; "
        "`icalbridge inspect FILE` lists them.",
        "count",
    ),
}
