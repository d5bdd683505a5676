"""The host's forms: accounts, units, bookings, channels, members, alerts.

The agenda links' forms are in ``web.agenda_forms``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

from icalbridge import clock
from icalbridge.alerts.webhook_targets import WebhookUrlRefused, checked_webhook_url
from icalbridge.core.bookings import Direction, ImportMode, Kind
from icalbridge.core.platforms import Platform
from icalbridge.core.spans import Nights, Span, Timed
from icalbridge.hub.models import Channel, Language, Role, Unit
from icalbridge.outbound.fetch import normalise_feed_url
from icalbridge.sync.import_links import Verdict, judge_import_link
from icalbridge.wording.kind_names import KIND_LABELS

DIRECTION_LABELS = {
    Direction.IMPORT: _("Import only: read the platform's calendar"),
    Direction.EXPORT: _("Export only: the platform reads our link"),
    Direction.BOTH: _("Both ways: read their calendar and give them ours"),
}
MODE_LABELS = {
    ImportMode.EVERYTHING: _("Everything, as the platform says it"),
    ImportMode.RESERVATIONS_ONLY: _("Reservations only (ignore its blocks)"),
    ImportMode.ALL_AS_BLOCKS: _("Everything as blocks (unavailable)"),
}
ROLES = (Role.OWNER, Role.MANAGER, Role.VIEWER)
ROLE_LABELS = {
    Role.OWNER: _("Owner: everything, members included"),
    Role.MANAGER: _("Manager: units, channels and bookings"),
    Role.VIEWER: _("Viewer: sees everything, changes nothing"),
}


class HostRenderer(DjangoTemplates):
    """Render a field as label, input, then help and errors (help under what it explains)."""

    field_template_name = "web/partials/field.html"


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """Return a form's choice field, to fill its choices when the form is made."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def without_length_caps(form: forms.BaseForm) -> None:
    """Drop the maxlength the browser would apply: it cuts a pasted name without a word.

    The length is still checked when the form comes back, and said in the form's errors.
    """
    for field in form.fields.values():
        field.widget.attrs.pop("maxlength", None)


class HostForm(forms.Form):
    default_renderer = HostRenderer()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        without_length_caps(self)


class HostModelForm(forms.ModelForm):
    default_renderer = HostRenderer()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        without_length_caps(self)


def validate_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise forms.ValidationError(
            _("“%(zone)s” is not a time zone; write it like Europe/Paris."),
            params={"zone": name},
        ) from exc


class SignupForm(HostForm):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput({"autocomplete": "email"})
    )
    organization = forms.CharField(
        label=_("Name of your business"),
        max_length=200,
        help_text=_("For example “Gîtes du Moulin”. You can add colleagues later."),
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not too common."),
    )

    def clean_email(self) -> str:
        # Whether the address has an account is not said here: the e-mail sent tells its owner.
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password"):
            try:
                validate_password(data["password"])
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class UnitForm(HostModelForm):
    booked_by_the_hour = forms.ChoiceField(
        label=_("How is it booked?"),
        choices=[
            ("False", _("By the night (a gîte, a room to let): it opens on its month")),
            ("True", _("By the hour (a room, a teacher, a studio): it opens on its week")),
        ],
        required=False,
        # A new unit starts where most do; a unit edited shows its own (its instance's).
        initial="False",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Unit
        fields = ["name", "timezone", "check_in", "check_out", "booked_by_the_hour"]
        labels = {
            "name": _("Name"),
            "timezone": _("Time zone"),
            "check_in": _("Check-in from"),
            "check_out": _("Check-out until"),
        }
        help_texts = {
            "name": _("What guests book: a gîte, a room, a flat."),
            "timezone": _("Where the unit is; dates and hours are read there."),
        }
        widgets = {
            "check_in": forms.TimeInput({"type": "time"}, format="%H:%M"),
            "check_out": forms.TimeInput({"type": "time"}, format="%H:%M"),
            "timezone": forms.TextInput({"list": "zones"}),
        }

    def clean_timezone(self) -> str:
        zone = self.cleaned_data["timezone"].strip()
        validate_zone(zone)
        return zone

    def clean_booked_by_the_hour(self) -> bool:
        return bool(self.cleaned_data.get("booked_by_the_hour") == "True")


class BookingForm(HostForm):
    """Add or change a local booking; dates are the arrival and the departure day."""

    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=[(k.value, KIND_LABELS[k]) for k in Kind],
        initial=Kind.UNAVAILABLE.value,
        widget=forms.RadioSelect,
    )
    start = forms.DateField(
        label=_("From (arrival)"), widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To (departure)"),
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The departure day is free again for the next guests."),
    )
    start_time = forms.TimeField(
        label=_("Start time"),
        required=False,
        widget=forms.TimeInput({"type": "time"}, format="%H:%M"),
    )
    end_time = forms.TimeField(
        label=_("End time"),
        required=False,
        widget=forms.TimeInput({"type": "time"}, format="%H:%M"),
    )
    category = forms.CharField(
        label=_("Category"),
        max_length=80,
        required=False,
        help_text=_("Your own word, for example “works” or “family”."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Only you see it; it is never sent to a platform."),
    )
    # "chosen" limits the booking to the ticked channels whatever is offered; without it,
    # the boxes the form shows decide (``channel_ids``).
    apply_on = forms.ChoiceField(
        choices=[("all", "all"), ("chosen", "chosen")], required=False, widget=forms.HiddenInput
    )
    channels = forms.MultipleChoiceField(
        label=_("On which channels?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Untick the channels that must keep these dates open. "
            "All ticked: also on the channels you add later."
        ),
    )
    scope_shown = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        choice_field(self, "channels").choices = [
            (str(c.pk), c.name) for c in unit.channels.filter(is_active=True).order_by("name")
        ]
        self.initial.setdefault("channels", [pk for pk, _name in self._offered_choices()])
        self.initial["scope_shown"] = True

    def _offered_choices(self) -> list[tuple[str, Any]]:
        return list(choice_field(self, "channels").choices)  # type: ignore[arg-type]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        start_time, end_time = data.get("start_time"), data.get("end_time")
        if start and end:
            if (start_time is None) != (end_time is None):
                self.add_error("end_time", _("Give both hours, or none for whole nights."))
            elif start_time is not None and end_time is not None:
                if datetime.combine(end, end_time) <= datetime.combine(start, start_time):
                    self.add_error("end_time", _("The end must come after the start."))
            elif end <= start:
                self.add_error(
                    "end", _("The departure must be at least one day after the arrival.")
                )
        offered = self._offered_choices()
        if not data.get("channels") and (
            data.get("apply_on") == "chosen" or (data.get("scope_shown") and offered)
        ):
            self.add_error("channels", _("Tick at least one channel."))
        return data

    def span(self) -> Span:
        data = self.cleaned_data
        if data.get("start_time") is not None:
            zone = self.unit.zone
            return Timed(
                datetime.combine(data["start"], data["start_time"], zone),
                datetime.combine(data["end"], data["end_time"], zone),
            )
        return Nights(data["start"], data["end"])

    def channel_ids(self) -> list[int] | None:
        """Return None for every channel (those added later too), else the ticked ones.

        The boxes come all ticked: left so, the booking is on every channel; one unticked
        keeps it off that channel. A post without the boxes means every channel.
        """
        data = self.cleaned_data
        ticked = sorted(int(pk) for pk in data.get("channels") or [])
        if data.get("apply_on") == "chosen":
            return ticked
        offered = {int(pk) for pk, _name in self._offered_choices()}
        if not data.get("scope_shown") or set(ticked) == offered:
            return None
        return ticked


class ChannelForm(HostModelForm):
    """Connect a unit to one platform: direction, import link and import options."""

    dtend = forms.ChoiceField(
        label=_("The end date of their stays is"),
        choices=[
            ("checkout", _("the departure day (the usual case)")),
            ("last_night", _("the last night")),
        ],
        widget=forms.RadioSelect,
    )
    confirm_import_url = forms.BooleanField(
        label=_("Save anyway: the link may work later"),
        required=False,
    )
    phrases = forms.CharField(
        label=_("Ignore events whose title contains"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("One phrase per line, for example “Not available”."),
    )

    class Meta:
        model = Channel
        fields = ["name", "direction", "import_url", "import_mode", "floating_tz"]
        labels = {
            "name": _("Name"),
            "direction": _("Direction"),
            "import_url": _("The platform's calendar link (import)"),
            "import_mode": _("What to import"),
            "floating_tz": _("Time zone for times without one"),
        }
        help_texts = {
            "floating_tz": _("Leave empty to use the unit's time zone."),
        }
        widgets = {
            "direction": forms.RadioSelect,
            "import_mode": forms.RadioSelect,
            "import_url": forms.URLInput({"placeholder": "https://…", "inputmode": "url"}),
            "floating_tz": forms.TextInput({"list": "zones"}),
        }

    def __init__(self, *args: Any, platform: Platform, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.platform = platform
        self.unit = unit
        # Set when the link failed a check that may pass: the form offers "save anyway".
        self.needs_confirmation = False
        choice_field(self, "direction").choices = [
            (d.value, DIRECTION_LABELS[d]) for d in platform.directions
        ]
        choice_field(self, "import_mode").choices = [(m.value, MODE_LABELS[m]) for m in ImportMode]
        self.fields["import_url"].required = False
        instance = self.instance
        if instance.pk:
            self.initial["dtend"] = "checkout" if instance.dtend_is_checkout else "last_night"
            self.initial["phrases"] = "\n".join(instance.ignore_phrases or [])
        else:
            options = platform.default_import_options
            self.initial.setdefault("name", platform.name_fr)
            self.initial.setdefault("direction", platform.directions[-1].value)
            self.initial["dtend"] = "checkout" if options.dtend_is_checkout else "last_night"
            self.initial["import_mode"] = options.mode.value
            self.initial["phrases"] = "\n".join(options.ignore_phrases)

    def clean_import_url(self) -> str:
        url = self.cleaned_data.get("import_url", "").strip()
        if not url:
            return ""
        try:
            normalise_feed_url(url)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return url

    def clean_floating_tz(self) -> str:
        zone = self.cleaned_data.get("floating_tz", "").strip()
        if zone:
            validate_zone(zone)
        return zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        direction = data.get("direction")
        url = data.get("import_url")
        if direction and Direction(direction).imports and not url:
            self.add_error(
                "import_url",
                _("Paste the platform's calendar link, or choose “Export only”."),
            )
        elif direction and Direction(direction).imports and url:
            self._judge_link(url, bool(data.get("confirm_import_url")))
        return data

    def _judge_link(self, url: str, confirmed: bool) -> None:
        """Refuse a link that can never work; ask to confirm one whose check failed."""
        if self.instance.pk and url == self.instance.import_url:
            return  # unchanged: the channel's status tells how it fares
        today = clock.now().astimezone(self.unit.zone).date()
        judgement = judge_import_link(
            url, self.unit, today=today, platform=self.platform.id, channel=self.instance
        )
        if judgement.verdict is Verdict.REFUSED:
            self.add_error("import_url", judgement.message)
        elif judgement.verdict is Verdict.DOUBTFUL and not confirmed:
            self.needs_confirmation = True
            self.add_error("import_url", judgement.message)

    def save(self, commit: bool = True) -> Channel:
        channel = super().save(commit=False)
        channel.platform = self.platform.id
        channel.dtend_is_checkout = self.cleaned_data["dtend"] == "checkout"
        channel.ignore_phrases = [
            line.strip() for line in self.cleaned_data["phrases"].splitlines() if line.strip()
        ]
        if commit:
            channel.save()
        return channel


class MemberForm(HostForm):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(str(r), ROLE_LABELS[r]) for r in ROLES],
        initial=str(Role.MANAGER),
        widget=forms.RadioSelect,
    )


class RoleForm(HostForm):
    role = forms.ChoiceField(label=_("Role"), choices=[(str(r), ROLE_LABELS[r]) for r in ROLES])


class PreferenceForm(HostForm):
    language = forms.ChoiceField(label=_("Language of my e-mails"), choices=Language.choices)
    digest = forms.BooleanField(
        label=_("One daily digest instead of immediate e-mails"),
        help_text=_("Double bookings are always sent at once."),
        required=False,
    )


class WebhookForm(HostForm):
    url = forms.CharField(
        label=_("URL that receives the alerts"),
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    def clean_url(self) -> str:
        try:
            return checked_webhook_url(self.cleaned_data["url"])
        except WebhookUrlRefused as exc:
            raise forms.ValidationError(str(exc)) from exc
