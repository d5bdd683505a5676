"""Personal agenda feeds: a read-only link for one's own calendar program, revocable."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icalbridge import clock
from icalbridge.core.push_status import PushError, PushState
from icalbridge.hub.models import AgendaFeed, CaldavPush, PublishedFeed
from icalbridge.security import policy_with_forms_to
from icalbridge.sync.caldav_push import configure_push, live_pushes, stop_pushes
from icalbridge.sync.caldav_secrets import Credentials
from icalbridge.sync.caldav_status import PushStatus, push_status
from icalbridge.sync.caldav_texts import failure_text
from icalbridge.sync.exporter import refresh_agenda_feed
from icalbridge.sync.google_calendar import consent_origin, hub_client
from icalbridge.web.agenda_forms import AgendaFeedForm, CaldavForm, GoogleCalendarForm
from icalbridge.web.permissions import active_membership, signed_in_user


@login_required
def agenda_feeds(request: HttpRequest) -> HttpResponse:
    """List the user's agenda feeds in this organization and make a new one."""
    membership = active_membership(request)
    if membership is None:
        return redirect("dashboard")
    units = list(membership.organization.units.all())
    form = AgendaFeedForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        agenda = AgendaFeed.objects.create(
            user=signed_in_user(request),
            organization=membership.organization,
            name=form.cleaned_data["name"],
            kinds=form.cleaned_data["kinds"],
            categories=form.category_list(),
        )
        agenda.units.set([u for u in units if str(u.pk) in form.cleaned_data["units"]])
        refresh_agenda_feed(agenda)
        messages.success(request, _("Your link is ready: add it to your calendar program."))
        return redirect("agenda_feeds")
    feeds = (
        AgendaFeed.objects.filter(
            user=signed_in_user(request),
            organization=membership.organization,
            revoked_at__isnull=True,
        )
        .select_related("feed")
        .prefetch_related("units")
    )
    pushes = {p.agenda_id: p for p in CaldavPush.objects.filter(live_pushes(), agenda__in=feeds)}
    google = hub_client() is not None
    cards = [
        AgendaCard(
            agenda,
            push_status(pushes[agenda.pk]) if agenda.pk in pushes else None,
            CaldavForm(prefix=f"caldav-{agenda.pk}"),
            GoogleCalendarForm(prefix=f"google-{agenda.pk}") if google else None,
        )
        for agenda in feeds
    ]
    response = render(
        request,
        "web/agenda_feeds.html",
        {"form": form, "cards": cards, "membership": membership, "google_offered": google},
    )
    if google:
        # "Connect with Google" is a form whose answer redirects to Google's consent page.
        response["Content-Security-Policy"] = policy_with_forms_to(consent_origin())
    return response


@dataclass(frozen=True)
class AgendaCard:
    """One agenda link as its page shows it: the link, its push into a calendar, the form."""

    agenda: AgendaFeed
    push: PushStatus | None
    caldav_form: CaldavForm
    # "Connect with Google", when the hub has its own Google OAuth client.
    google_form: GoogleCalendarForm | None


@login_required
@require_POST
def agenda_feed_revoke(request: HttpRequest, agenda_id: int) -> HttpResponse:
    """Revoke one's own agenda feed: its link stops working at once."""
    agenda = AgendaFeed.objects.filter(
        pk=agenda_id, user=signed_in_user(request), revoked_at__isnull=True
    ).first()
    if agenda is None:
        raise Http404
    with transaction.atomic():
        agenda.revoked_at = clock.now()
        agenda.save(update_fields=["revoked_at"])
        PublishedFeed.objects.filter(agenda=agenda).delete()
        stop_pushes(AgendaFeed.objects.filter(pk=agenda.pk))
    messages.success(request, _("Link revoked: it no longer works."))
    return redirect("agenda_feeds")


def own_live_agenda(request: HttpRequest, agenda_id: int) -> AgendaFeed:
    """Return one of the signed-in person's live agenda feeds, or raise Http404."""
    agenda = AgendaFeed.objects.filter(
        pk=agenda_id, user=signed_in_user(request), revoked_at__isnull=True
    ).first()
    if agenda is None:
        raise Http404
    return agenda


@login_required
@require_POST
def agenda_feed_caldav(request: HttpRequest, agenda_id: int) -> HttpResponse:
    """Test the connection to a CalDAV calendar and, whatever it says, keep trying to write."""
    agenda = own_live_agenda(request, agenda_id)
    form = CaldavForm(request.POST, prefix=f"caldav-{agenda.pk}")
    if not form.is_valid():
        messages.error(request, _("Give the calendar's address, your user name and password."))
        return redirect("agenda_feeds")
    credentials = Credentials(form.cleaned_data["username"], form.cleaned_data["password"])
    try:
        push = configure_push(agenda, form.cleaned_data["url"], credentials)
    except PushError as exc:
        messages.error(request, failure_text(exc.failure, exc.detail))
        return redirect("agenda_feeds")
    return told_how_it_went(request, push)


def told_how_it_went(request: HttpRequest, push: CaldavPush) -> HttpResponse:
    """Go back to the agenda links, saying in plain words how the connection went."""
    push.refresh_from_db()  # the first pass may have run already
    status = push_status(push)
    if status.state == PushState.ERROR:
        messages.error(request, status.message)
    else:
        messages.success(request, status.message)
    return redirect("agenda_feeds")


@login_required
@require_POST
def agenda_feed_caldav_stop(request: HttpRequest, agenda_id: int) -> HttpResponse:
    """Stop writing an agenda feed into its calendar; the events the hub wrote are removed."""
    agenda = own_live_agenda(request, agenda_id)
    stop_pushes(AgendaFeed.objects.filter(pk=agenda.pk))
    messages.success(
        request, _("Stopped: the events this link wrote are being removed from your calendar.")
    )
    return redirect("agenda_feeds")
