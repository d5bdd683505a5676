"""Personal agenda feeds: a read-only link for one's own calendar program, revocable."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icalbridge import clock
from icalbridge.hub.models import AgendaFeed, PublishedFeed
from icalbridge.sync.exporter import refresh_agenda_feed
from icalbridge.web.forms import AgendaFeedForm
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
    return render(
        request,
        "web/agenda_feeds.html",
        {"form": form, "feeds": feeds, "membership": membership},
    )


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
