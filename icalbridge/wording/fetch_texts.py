"""What a failed fetch or import tells the host, by stable code (and variant), in their language.

The codes are a contract (``ImportRun.error_code``, the API's ``last_error_code``); the
variants only pick a sentence. Add a code here when a new failure is reported.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from icalbridge.wording.message_texts import render_english, render_text

FETCH_TEXTS: dict[str, Promise] = {
    # The link itself, before any connection.
    "bad_url:empty": _("The link is empty: paste the platform's calendar link."),
    "bad_url:no_scheme": _(
        "The link “%(link)s” must start with https://, http:// or webcal://; copy it again in full."
    ),
    "bad_url:scheme": _(
        "Links starting with %(scheme)s:// cannot be fetched; a calendar link starts with "
        "https://, http:// or webcal://."
    ),
    "bad_url:spaces": _("The link contains spaces or line breaks; copy it again in full."),
    "bad_url:invalid": _("The link is not a valid web address; copy it again in full."),
    "bad_url:no_host": _("The link has no server name after %(scheme)s://."),
    "bad_url:port": _("The link names port %(port)s, which does not exist."),
    "bad_url:redirect": _(
        "The server redirected to “%(location)s”, which is not a link a calendar can be read from."
    ),
    "private_address": _(
        "The link points to %(shown)s, a private or reserved network address; icalbridge "
        "only fetches public addresses unless the administrator allows it."
    ),
    "dns_error": _("The name %(host)s could not be found: check the link, or the server is gone."),
    # The connection.
    # Time-outs are settings of several seconds, some not whole (1.5): no plural form.
    "timeout:connect": _("Could not connect to %(host)s within %(seconds)s seconds."),
    "timeout": _("The server did not send the whole calendar within %(seconds)s seconds."),
    "tls_error": _(
        "The secure connection to %(host)s failed: its certificate is not valid "
        "(expired, self-signed or made for another name)."
    ),
    "connect_error": _("Could not connect to %(host)s: the server refused or did not answer."),
    "connect_error:closed": _("%(host)s closed the connection without answering."),
    "connect_error:unexpected": _("The fetch failed on our side; it will be tried again."),
    "incomplete": _(
        "The connection was cut after %(size_bytes)s, before the whole calendar arrived."
    ),
    # What the server answered.
    "http_error": _("The server answered %(status)s."),
    "http_error:refused": _(
        "The server answered %(status)s: the link is private, expired, or the server refuses us."
    ),
    "http_error:not_found": _("The server answered %(status)s: the link is wrong or was reset."),
    "http_error:too_many": _("The server answered %(status)s: it is getting too many requests."),
    "http_error:too_many_wait": ngettext_lazy(
        "The server answered %(status)s: it is getting too many requests and asks us to wait "
        "%(wait)s second.",
        "The server answered %(status)s: it is getting too many requests and asks us to wait "
        "%(wait)s seconds.",
        "wait",
    ),
    "http_error:unavailable": _("The server answered %(status)s: it is unavailable for now."),
    "http_error:unavailable_wait": ngettext_lazy(
        "The server answered %(status)s: it is unavailable for now and asks us to wait "
        "%(wait)s second.",
        "The server answered %(status)s: it is unavailable for now and asks us to wait "
        "%(wait)s seconds.",
        "wait",
    ),
    "http_error:server": _(
        "The server answered %(status)s: a problem on the server's side, which usually passes."
    ),
    "redirect_loop": _(
        "The server redirects in a circle (%(link)s leads back to itself); "
        "the link cannot be read as it is."
    ),
    "too_many_redirects": _(
        "The server redirected more than %(count)s times; "
        "use the link it finally leads to, if it has one."
    ),
    # The body.
    "not_calendar:empty": _(
        "The server answered with an empty answer (0 bytes) instead of a calendar; "
        "the link may be wrong, expired or need a login."
    ),
    "not_calendar:blank": _(
        "The server answered with %(size_bytes)s of blank space instead of a calendar; "
        "the link may be wrong, expired or need a login."
    ),
    "not_calendar:html": _(
        "The server answered with a web page, often a login or error page, instead of a "
        "calendar; the link may be wrong, expired or need a login."
    ),
    "not_calendar:json": _(
        "The server answered with JSON data instead of a calendar; "
        "the link may be wrong, expired or need a login."
    ),
    "not_calendar:other": _(
        "The server answered with %(size_bytes)s of something else instead of a calendar; "
        "the link may be wrong, expired or need a login."
    ),
    "too_large:announced": _(
        "The calendar is larger than the %(limit_bytes)s limit (it announces %(size_bytes)s)."
    ),
    "too_large:read": _(
        "The calendar is larger than the %(limit_bytes)s limit (stopped after %(size_bytes)s)."
    ),
    "too_large:inflated": _(
        "The calendar is larger than the %(limit_bytes)s limit (it inflates past %(size_bytes)s)."
    ),
    "decode_error:cut": _("The compressed body ended before its end marker."),
    "decode_error:corrupt": _(
        "The server said the body was compressed, but it could not be unpacked."
    ),
    "decode_error:encoding": _(
        "The server compressed the body as “%(encoding)s”, which icalbridge does not read."
    ),
    # What the importer found once the body was read.
    "not_calendar:read": _(
        "The link answered something that is not a calendar; nothing was changed."
    ),
    "truncated": _("The calendar arrived cut off before its end; nothing was changed."),
    "truncated:added": ngettext_lazy(
        "The calendar arrived damaged or cut off: nothing was freed, and the %(count)s new "
        "stay it holds whole was added so that it blocks its nights.",
        "The calendar arrived damaged or cut off: nothing was freed, and the %(count)s new "
        "stays it holds whole were added so that they block their nights.",
        "count",
    ),
    "too_many_events": _(
        "The calendar holds %(count)s events in the dates icalbridge reads, more than the "
        "%(cap)s allowed; nothing was changed."
    ),
    "internal_error": _("icalbridge could not finish this import; it will try again."),
}


def fetch_error_text(code: str, params: Mapping[str, object] | None, fallback: str = "") -> str:
    """Return a fetch or import failure in the active language; ``fallback`` for old rows."""
    if params is None:
        return fallback
    return render_text(FETCH_TEXTS, code, params) or fallback


def fetch_error_english(code: str, params: Mapping[str, object]) -> str:
    """Return the failure in English, as logs and old readers of ``message`` expect it."""
    return render_english(FETCH_TEXTS, code, params)
