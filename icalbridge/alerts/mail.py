"""Alert e-mails: in each person's language, a plain-text and an HTML part, a link to fix it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine
from django.utils import timezone, translation

from icalbridge.alerts.causes import EXPORT_CAUSES
from icalbridge.alerts.links import page_url
from icalbridge.core.platforms import platform_by_id
from icalbridge.hub.models import (
    Alert,
    AlertCause,
    Channel,
    HeldChange,
    Language,
    Membership,
    Role,
    UserPreference,
)
from icalbridge.wording.run_texts import channel_error_text

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Our own engine: the alerts are not a Django app, so the app template loader cannot see them.
ENGINE = Engine(dirs=[str(TEMPLATES)], app_dirs=False)


def recipients_of(alert: Alert) -> list[Any]:
    """Return the people told about an alert: those who can fix it (owners only for webhooks)."""
    roles = (
        [Role.OWNER] if alert.cause == AlertCause.WEBHOOK_DISABLED else [Role.OWNER, Role.MANAGER]
    )
    memberships = (
        Membership.objects.filter(
            organization_id=alert.organization_id, role__in=roles, user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    )
    return [m.user for m in memberships if address_of(m.user)]


def address_of(user: AbstractBaseUser) -> str:
    """Return the user's e-mail address, or "" when there is none."""
    email = getattr(user, "email", "") or ""
    if not email and "@" in user.get_username():
        email = user.get_username()
    return email


def preference_of(user: AbstractBaseUser) -> UserPreference:
    """Return the user's alert preference, the defaults when none was saved."""
    found = UserPreference.objects.filter(user_id=user.pk).first()
    return found or UserPreference(user_id=user.pk, language=default_language())


def default_language() -> str:
    code = (settings.LANGUAGE_CODE or "fr")[:2]
    return code if code in Language.values else Language.FRENCH


def alert_context(alert: Alert, language: str) -> dict[str, Any]:
    """Return what the alert templates show, read from the alert's channel or conflict."""
    context: dict[str, Any] = {
        "cause": alert.cause,
        "organization": alert.organization.name,
        "link": page_url(alert),
        "public_url": settings.PUBLIC_URL,
        "message": alert.message,
    }
    if alert.channel is not None:
        channel = alert.channel
        context |= {
            "unit": channel.unit.name,
            "channel": channel.name,
            "platform": platform_name(channel.platform, language),
            "failures": channel.consecutive_failures,
            "error": _error_in(channel, language),
            "last_success": channel.last_success_at,
            "zone": channel.unit.timezone,
        }
        if alert.cause in EXPORT_CAUSES:
            context |= {
                "last_fetch": channel.last_export_fetch_at,
                "dates": not_applied_dates(alert.message),
            }
        held = HeldChange.objects.filter(channel=channel).first()
        if held is not None:
            context |= {"would_cancel": len(held.would_cancel), "would_add": held.would_add}
    if alert.conflict is not None:
        conflict = alert.conflict
        context |= {
            "unit": conflict.unit.name,
            "start": conflict.start,
            "end": conflict.end,
            "first": _booking_label(conflict.first),
            "second": _booking_label(conflict.second),
            "zone": conflict.unit.timezone,
        }
    if alert.webhook is not None:
        context["webhook_url"] = alert.webhook.url
        context["webhook_failures"] = alert.webhook.consecutive_failures
    return context


def not_applied_dates(message: str) -> list[tuple[date, date]]:
    """Return the runs of nights an export alert names (``start/end; ...``, ISO days)."""
    runs = []
    for part in filter(None, (p.strip() for p in message.split(";"))):
        start, _, end = part.partition("/")
        runs.append((date.fromisoformat(start), date.fromisoformat(end)))
    return runs


def platform_name(platform_id: str, language: str) -> str:
    """Return the platform's name as hosts know it, in their language."""
    try:
        platform = platform_by_id(platform_id)
    except KeyError:
        return platform_id
    return platform.name_fr if language == Language.FRENCH else platform.name_en


def _error_in(channel: Channel, language: str) -> str:
    with translation.override(language):
        return channel_error_text(channel)


def _booking_label(booking: Any) -> str:
    source = booking.origin.name if booking.origin_id else ""
    summary = booking.summary or booking.get_kind_display()
    return f"{summary} ({source})" if source else summary


def render_message(
    name: str, language: str, context: dict[str, Any], to: str
) -> EmailMultiAlternatives:
    """Render ``<name>_subject.txt``, ``<name>.txt`` and ``<name>.html`` in one language."""
    zone = context.get("zone") or settings.TIME_ZONE
    with translation.override(language), timezone.override(zone):
        subject = render_template(f"alerts/{language}/{name}_subject.txt", context, html=False)
        text = render_template(f"alerts/{language}/{name}.txt", context, html=False)
        html = render_template(f"alerts/{language}/{name}.html", context, html=True)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(html, "text/html")
    return message


def render_template(template: str, context: dict[str, Any], *, html: bool) -> str:
    """Render one of the alert templates; plain text is not HTML-escaped."""
    return ENGINE.get_template(template).render(Context(context, autoescape=html))


def alert_message(alert: Alert, user: AbstractBaseUser) -> EmailMultiAlternatives:
    """Return the e-mail that tells one person about one alert, in their language."""
    language = preference_of(user).language
    return render_message("alert", language, alert_context(alert, language), address_of(user))


def alerts_message(alerts: list[Alert], user: AbstractBaseUser) -> EmailMultiAlternatives:
    """Return the one e-mail that tells a person about alerts that came together.

    A single alert gets its own full message; several get one message listing each by its
    title and link, whatever their causes, so that a burst of double bookings is one e-mail.
    """
    if len(alerts) == 1:
        return alert_message(alerts[0], user)
    language = preference_of(user).language
    units = sorted({name for name in map(unit_name_of, alerts) if name})
    context = {
        "items": [alert_item(alert, language) for alert in alerts],
        "count": len(alerts),
        "units": ", ".join(units[:3]) + (" …" if len(units) > 3 else ""),
        "organizations": ", ".join(sorted({alert.organization.name for alert in alerts})),
    }
    return render_message("burst", language, context, address_of(user))


def unit_name_of(alert: Alert) -> str:
    """Return the name of the unit an alert is about ("" for an organization's alert)."""
    if alert.channel is not None:
        return alert.channel.unit.name
    if alert.conflict is not None:
        return alert.conflict.unit.name
    return ""


def alert_item(alert: Alert, language: str) -> dict[str, Any]:
    """Return an alert as one line of a list: its subject's words, its link, and the dates a
    platform does not block (a list's line must still name them)."""
    context = alert_context(alert, language)
    zone = context.get("zone") or settings.TIME_ZONE
    with translation.override(language), timezone.override(zone):
        title = render_template(f"alerts/{language}/alert_subject.txt", context, html=False)
    return {
        "title": " ".join(title.split()).removeprefix("[icalbridge] "),
        "link": context["link"],
        "dates": context.get("dates", []),
    }
