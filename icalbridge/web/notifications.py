"""How alerts reach people: each member's own preferences, the organization's webhooks."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icalbridge.alerts.mail import preference_of
from icalbridge.alerts.webhook_targets import (
    add_webhook,
    enable_webhook,
    remove_webhook,
    webhooks_of,
)
from icalbridge.alerts.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER
from icalbridge.hub.models import UserPreference, WebhookTarget
from icalbridge.security import client_address
from icalbridge.web.forms import PreferenceForm, WebhookForm
from icalbridge.web.permissions import (
    active_membership,
    membership_in,
    require_role,
    signed_in_user,
)

# The secret waits in the session between the POST that made it and the page that shows it,
# and is removed when shown: a reload or the back button cannot show it again.
SESSION_NEW_SECRET = "new_webhook_secret"


def _page(
    request: HttpRequest,
    preference_form: PreferenceForm,
    webhook_form: WebhookForm,
    status: int = 200,
) -> HttpResponse:
    membership = active_membership(request)
    new_secret = request.session.pop(SESSION_NEW_SECRET, None)
    context: dict[str, Any] = {
        "membership": membership,
        "preference_form": preference_form,
        "webhook_form": webhook_form,
        "webhooks": webhooks_of(membership.organization) if membership else [],
        "new_secret": new_secret,
        "signature_header": SIGNATURE_HEADER,
        "timestamp_header": TIMESTAMP_HEADER,
    }
    return render(request, "web/notifications.html", context, status=status)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """Show and change one's own alert preferences; list the organization's webhooks."""
    user = signed_in_user(request)
    preference = preference_of(user)
    form = PreferenceForm(
        request.POST or None,
        initial={"language": preference.language, "digest": preference.digest},
    )
    if request.method == "POST" and form.is_valid():
        UserPreference.objects.update_or_create(
            user=user,
            defaults={
                "language": form.cleaned_data["language"],
                "digest": form.cleaned_data["digest"],
            },
        )
        messages.success(request, _("Your preferences are saved."))
        return redirect("notifications")
    return _page(request, form, WebhookForm())


@login_required
@require_POST
def webhook_add(request: HttpRequest) -> HttpResponse:
    """Add a webhook target to the organization (owners only); its secret is shown once."""
    membership = active_membership(request)
    if membership is None:
        raise Http404
    require_role(membership, owner=True)
    form = WebhookForm(request.POST)
    if not form.is_valid():
        preference = preference_of(signed_in_user(request))
        initial = {"language": preference.language, "digest": preference.digest}
        return _page(request, PreferenceForm(initial=initial), form)
    target = add_webhook(
        membership.organization,
        form.cleaned_data["url"],
        actor=request.user,
        ip=client_address(request.META),
    )
    request.session[SESSION_NEW_SECRET] = {"url": target.url, "secret": target.secret}
    return redirect("notifications")


def _owned_webhook(request: HttpRequest, webhook_id: int) -> WebhookTarget:
    target = WebhookTarget.objects.filter(pk=webhook_id).first()
    if target is None:
        raise Http404
    require_role(membership_in(request, target.organization_id), owner=True)
    return target


@login_required
@require_POST
def webhook_enable(request: HttpRequest, webhook_id: int) -> HttpResponse:
    """Switch a switched-off webhook target on again (owners only)."""
    enable_webhook(_owned_webhook(request, webhook_id))
    messages.success(request, _("The webhook is switched on again."))
    return redirect("notifications")


@login_required
@require_POST
def webhook_remove(request: HttpRequest, webhook_id: int) -> HttpResponse:
    """Delete a webhook target (owners only)."""
    remove_webhook(
        _owned_webhook(request, webhook_id), actor=request.user, ip=client_address(request.META)
    )
    messages.success(request, _("Webhook removed."))
    return redirect("notifications")
