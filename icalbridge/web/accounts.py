"""Sign up: a new user becomes the owner of a new organization."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from icalbridge.commands.users import new_user_with_organization
from icalbridge.web.forms import SignupForm
from icalbridge.web.permissions import SESSION_ORGANIZATION


def signup(request: HttpRequest) -> HttpResponse:
    """Create an account and its organization, then go to the dashboard logged in."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user, organization = new_user_with_organization(
            data["email"], data["password"], data["organization"]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_ORGANIZATION] = organization.pk
        return redirect("dashboard")
    return render(request, "registration/signup.html", {"form": form})
