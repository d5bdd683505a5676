"""What a person reads about a CalDAV push, in their language (French first, English)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icalbridge.core.push_status import PushFailure


def failure_text(failure: PushFailure, detail: str) -> str:
    """Return why a push failed, in plain words, with what to do."""
    host = detail or _("the server")
    texts = {
        PushFailure.WRONG_PASSWORD: _(
            "%(host)s refused the user name or password. Check them; for iCloud or "
            "Fastmail, use an app password, not your account's own password."
        ),
        PushFailure.FORBIDDEN: _(
            "%(host)s does not let this account write into this calendar. Choose a "
            "calendar you own, or check how it is shared."
        ),
        PushFailure.NOT_FOUND: _(
            "Nothing was found at this address on %(host)s: check the calendar's address."
        ),
        PushFailure.NOT_A_CALENDAR: _(
            "This address is not a calendar, and no calendar could be made under it: give "
            "the address of one of your calendars."
        ),
        PushFailure.UNREACHABLE: _(
            "%(host)s cannot be reached: the server may be down, or the address mistyped. "
            "The hub tries again."
        ),
        PushFailure.TLS: _(
            "The secure connection to %(host)s failed: its certificate is not valid."
        ),
        PushFailure.TIMEOUT: _("%(host)s did not answer in time. The hub tries again."),
        PushFailure.PRIVATE_ADDRESS: _(
            "The address points to %(host)s, a private network address: the hub writes only "
            "to public servers unless its administrator allows it."
        ),
        PushFailure.BAD_URL: _(
            "This is not a calendar address: it starts with https:// (or http://)."
        ),
        PushFailure.SERVER_ERROR: _("%(host)s answered with an error. The hub tries again."),
        PushFailure.CREDENTIALS_LOST: _(
            "The stored password or authorization can no longer be read (the hub's key "
            "changed): enter the password again, or connect again."
        ),
        PushFailure.CALENDAR_IN_USE: _(
            "Another agenda link already writes into this calendar: choose another one."
        ),
        PushFailure.AUTHORIZATION_REVOKED: _(
            "%(host)s refused the authorization: it was withdrawn or has expired. Connect "
            "again (a new refresh token) to go on writing into this calendar."
        ),
        PushFailure.OAUTH_CLIENT_REFUSED: _(
            "%(host)s refused the OAuth client: check its client ID and secret (Google Cloud "
            "console, “Credentials”), then connect again."
        ),
    }
    return texts[failure] % {"host": host}


def pending_text() -> str:
    return _("Connected: the agenda's events are being written into the calendar.")


def up_to_date_text(count: int) -> str:
    return ngettext(
        "Up to date: the calendar holds the agenda's %(count)d event.",
        "Up to date: the calendar holds the agenda's %(count)d events.",
        count,
    ) % {"count": count}
