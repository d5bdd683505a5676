"""Connect with Google: an agenda feed written into a Google calendar, from the agenda page.

Offered when the hub has its own Google OAuth client (``sync/google_calendar.hub_client``).
The person names a calendar and is sent to Google's consent page; Google sends them back
here with a code, which the hub trades for a refresh token (``sync/caldav_oauth``), and the
push is set up as any other. The ``state`` kept in the session ties the return to the
person who started it (no one can make another person's browser connect a calendar), and
the PKCE verifier ties the code to this hub.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icalbridge.core.push_status import PushError
from icalbridge.outbound.policy import fetch_policy
from icalbridge.sync.caldav_oauth import exchange_code
from icalbridge.sync.caldav_push import configure_push
from icalbridge.sync.caldav_secrets import Credentials
from icalbridge.sync.caldav_texts import failure_text
from icalbridge.sync.google_calendar import authorization_address, calendar_address, hub_client
from icalbridge.web.agenda_feeds import own_live_agenda, told_how_it_went
from icalbridge.web.agenda_forms import GoogleCalendarForm

SESSION_KEY = "google_connect"
_ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")


def return_address() -> str:
    """Return where Google sends people back: the redirect URI to register with Google."""
    return settings.PUBLIC_URL + reverse("google_return")


@login_required
@require_POST
def agenda_feed_google(request: HttpRequest, agenda_id: int) -> HttpResponse:
    """Send the person to Google to allow the hub to write into the calendar they named."""
    client = hub_client()
    if client is None:
        raise Http404
    agenda = own_live_agenda(request, agenda_id)
    form = GoogleCalendarForm(request.POST, prefix=f"google-{agenda.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("calendar", [])))
        return redirect("agenda_feeds")
    state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    request.session[SESSION_KEY] = {
        "state": state,
        "verifier": verifier,
        "agenda": agenda.pk,
        "calendar": form.cleaned_data["calendar"],
    }
    return redirect(
        authorization_address(
            client_id=client[0], redirect_uri=return_address(), state=state, verifier=verifier
        )
    )


@login_required
def google_return(request: HttpRequest) -> HttpResponse:
    """Take Google's answer: trade the code for a refresh token and start writing."""
    client = hub_client()
    pending = request.session.pop(SESSION_KEY, None)
    state = request.GET.get("state", "")
    if client is None or not pending or not secrets.compare_digest(state, pending["state"]):
        messages.error(
            request,
            _(
                "This return from Google does not match a connection started here: start "
                "again with “Connect with Google”."
            ),
        )
        return redirect("agenda_feeds")
    agenda = own_live_agenda(request, pending["agenda"])
    error = request.GET.get("error", "")
    if error or not request.GET.get("code"):
        if error == "access_denied":
            messages.error(
                request,
                _(
                    "You did not allow the hub to write into your Google calendar: "
                    "nothing was changed."
                ),
            )
        else:
            shown = error if _ERROR_CODE.match(error) else "?"
            messages.error(
                request,
                _("Google did not give the authorization (%(error)s): try again.")
                % {"error": shown},
            )
        return redirect("agenda_feeds")
    try:
        grant = exchange_code(
            code=request.GET["code"],
            verifier=pending["verifier"],
            redirect_uri=return_address(),
            client_id=client[0],
            client_secret=client[1],
            token_url=settings.ICALBRIDGE_GOOGLE_TOKEN_URL,
            policy=fetch_policy(),
        )
    except PushError as exc:
        messages.error(request, failure_text(exc.failure, exc.detail))
        return redirect("agenda_feeds")
    if grant is None:
        messages.error(
            request,
            _(
                "Google gave no lasting authorization. Remove the hub's access at "
                "https://myaccount.google.com/connections, then connect again."
            ),
        )
        return redirect("agenda_feeds")
    try:
        push = configure_push(
            agenda, calendar_address(pending["calendar"]), Credentials("", "", grant)
        )
    except PushError as exc:
        messages.error(request, failure_text(exc.failure, exc.detail))
        return redirect("agenda_feeds")
    return told_how_it_went(request, push)
