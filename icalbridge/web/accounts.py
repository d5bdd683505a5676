"""Sign up: a new user becomes the owner of a new organization, once their address answers.

The sign-up form answers the same whether the address has an account or not (otherwise
anyone could learn who uses the hub): it always says that a message is on its way. A new
address receives a link that opens the account; an address that has an account receives
a reminder to log in or reset the password instead. The account waits, inactive, until
its link is used; signing up again with the address replaces the pending password.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model, login
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.views.decorators.http import require_http_methods

from icalbridge.hub.models import Membership, Organization, Role
from icalbridge.organizations.owners import new_user_with_organization
from icalbridge.web.forms import SignupForm
from icalbridge.web.permissions import SESSION_ORGANIZATION


class SignupTokenGenerator(PasswordResetTokenGenerator):
    """One-use links: a link dies when its account opens or its pending password changes."""

    key_salt = "icalbridge.web.accounts.SignupTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return super()._make_hash_value(user, timestamp) + str(user.is_active)


signup_tokens = SignupTokenGenerator()


def signup(request: HttpRequest) -> HttpResponse:
    """Take the sign-up form, e-mail its address, and say the same whoever it belongs to."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _answer_address(request, data["email"], data["password"], data["organization"])
        request.session["signup_address"] = data["email"]
        return redirect("signup_sent")
    return render(request, "registration/signup.html", {"form": form})


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request, "registration/signup_sent.html", {"email": request.session.get("signup_address")}
    )


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Open the account of a sign-up link: a button first, so that link scanners open nothing."""
    user = _pending_user(uidb64, token)
    if user is None:
        return render(request, "registration/signup_invalid.html", status=400)
    if request.method == "GET":
        return render(request, "registration/signup_confirm.html", {"email": user.email})
    user.is_active = True
    user.save(update_fields=["is_active"])
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    owned = Membership.objects.filter(user=user, role=Role.OWNER).first()
    if owned is not None:
        request.session[SESSION_ORGANIZATION] = owned.organization_id
    return redirect("dashboard")


def _answer_address(request: HttpRequest, email: str, password: str, organization: str) -> None:
    users = get_user_model()
    # Each way hashes the password once, so that no answer is quicker than the others.
    with transaction.atomic():
        user = users.objects.select_for_update().filter(username__iexact=email).first()
        if user is None:
            user, _ = new_user_with_organization(email, password, organization)
            user.is_active = False
            user.save(update_fields=["is_active"])
        elif _is_pending(user):
            user.password = make_password(password)
            user.save(update_fields=["password"])
            Organization.objects.filter(
                memberships__user=user, memberships__role=Role.OWNER
            ).update(name=organization)
        else:
            make_password(password)
            _send(request, user.email or email, "signup_exists", {})
            return
    link = request.build_absolute_uri(
        reverse(
            "signup_confirm",
            args=[urlsafe_base64_encode(force_bytes(user.pk)), signup_tokens.make_token(user)],
        )
    )
    _send(request, email, "signup", {"link": link})


def _is_pending(user: Any) -> bool:
    """Tell whether an account was signed up for but its link never used."""
    return not user.is_active and user.last_login is None


def _pending_user(uidb64: str, token: str) -> Any:
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        user = get_user_model().objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        return None
    if user is None or not _is_pending(user) or not signup_tokens.check_token(user, token):
        return None
    return user


def _send(request: HttpRequest, to: str, name: str, context: dict[str, Any]) -> None:
    context |= {
        "login": request.build_absolute_uri(reverse("login")),
        "reset": request.build_absolute_uri(reverse("password_reset")),
    }
    subject = render_to_string(f"registration/{name}_subject.txt", context, request)
    body = render_to_string(f"registration/{name}_email.txt", context, request)
    send_mail(" ".join(subject.split()), body, None, [to])
