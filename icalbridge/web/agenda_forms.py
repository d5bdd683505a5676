"""The forms of a person's agenda links: which bookings a link shows, where it is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from icalbridge.core.bookings import Kind
from icalbridge.hub.models import Unit
from icalbridge.web.forms import HostForm, choice_field
from icalbridge.wording.kind_names import KIND_LABELS


class AgendaFeedForm(HostForm):
    name = forms.CharField(label=_("Name"), max_length=200, initial=_("My bookings"))
    units = forms.MultipleChoiceField(
        label=_("Units"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen means every unit, including those added later."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds"),
        required=False,
        choices=[(k.value, KIND_LABELS[k]) for k in Kind],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen means every kind."),
    )
    categories = forms.CharField(
        label=_("Categories"),
        required=False,
        help_text=_("Separated by commas; empty means every category."),
    )

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "units").choices = [(str(u.pk), u.name) for u in units]

    def category_list(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["categories"].split(",") if c.strip()]


class CaldavForm(HostForm):
    """Where to write an agenda feed: a CalDAV calendar and the login that may write there."""

    url = forms.CharField(
        label=_("Calendar address"),
        max_length=2000,
        help_text=_(
            "The calendar's own address, or your server's: a calendar named after this "
            "link is then found or made there."
        ),
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "url"}),
    )
    username = forms.CharField(
        label=_("User name"), max_length=300, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=1000,
        help_text=_("An app password where your server offers them. Stored encrypted."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class GoogleCalendarForm(HostForm):
    """Which Google calendar to write an agenda feed into, before Google asks for consent."""

    calendar = forms.CharField(
        label=_("Google calendar ID"),
        max_length=300,
        help_text=_(
            "Your Google address for your main calendar. For another one: in Google "
            "Calendar, the calendar's “Settings and sharing” → “Integrate calendar” → "
            "“Calendar ID”."
        ),
        widget=forms.TextInput(attrs={"placeholder": "name@gmail.com", "autocomplete": "email"}),
    )

    def clean_calendar(self) -> str:
        calendar = str(self.cleaned_data["calendar"]).strip()
        if not calendar or any(c.isspace() or c == "/" for c in calendar):
            raise forms.ValidationError(
                _("A calendar ID is one word, such as name@gmail.com: copy it again.")
            )
        return calendar
