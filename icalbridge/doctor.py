"""The feed doctor: fetch a link as the worker would and explain, in plain words, what is wrong."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.template.defaultfilters import filesizeformat
from django.utils.translation import override

from icalbridge import clock
from icalbridge.commands.language import cli_language
from icalbridge.core.feed import Feed, FeedEvent
from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.core.platforms import platform_by_id
from icalbridge.core.spans import Nights
from icalbridge.outbound.fetch import FetchOutcome, FetchPolicy, FetchResult, fetch_feed
from icalbridge.outbound.policy import fetch_policy

# A feed whose last event ends this close to today probably exports only a short horizon.
SHORT_HORIZON_DAYS = 7


@dataclass(frozen=True)
class Finding:
    code: str
    message_en: str
    message_fr: str


@dataclass(frozen=True)
class Diagnosis:
    ok: bool
    findings: list[Finding]


def diagnose_url(
    url: str, *, today: date, zone: str, policy: FetchPolicy | None = None
) -> Diagnosis:
    """Fetch a feed link under the worker's policy and explain what a host would need to know."""
    policy = policy or fetch_policy()
    result = fetch_feed(url, None, policy)
    if result.outcome is not FetchOutcome.OK:
        return Diagnosis(False, _failure_findings(url, result, policy))
    feed = read_feed(result.body or b"", ReadOptions(today=today, zone=zone))
    return _feed_diagnosis(feed, today, ZoneInfo(zone))


def is_google_calendar_url(url: str) -> bool:
    """Tell whether a link is a Google Calendar export link (public or secret address)."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    return path.startswith("/calendar/ical/") and (
        (parts.hostname or "").endswith("google.com") or "calendar.google.com" in path
    )


def _google_hint() -> Finding:
    return Finding(
        "google_not_public",
        "This Google address only works when the calendar is public: make the calendar "
        "public, or copy its “Secret address in iCal format” again (it changes when reset).",
        "Cette adresse Google ne fonctionne que si l’agenda est public : rendez l’agenda "
        "public, ou recopiez son « Adresse secrète au format iCal » (elle change si on la "
        "réinitialise).",
    )


def _failure_findings(url: str, result: FetchResult, policy: FetchPolicy) -> list[Finding]:
    code = result.error_code or "connect_error"
    detail = result.error_message or ""
    with override("fr"):
        detail_fr = result.error_text()
    google = is_google_calendar_url(url)
    if code == "http_error" and google and result.status in (401, 403, 404, 410):
        return [_google_hint(), _status_finding(result.status, detail, detail_fr)]
    if code == "http_error":
        return [_status_finding(result.status, detail, detail_fr)]
    if code == "not_calendar":
        found = _not_calendar_finding(detail, detail_fr)
        return [_google_hint(), found] if google and found.code == "login_page" else [found]
    if code == "private_address":
        return [
            Finding(
                code,
                "This address is private: icalbridge does not fetch private addresses "
                f"(a home network, the server itself). {detail}",
                "Cette adresse est privée : icalbridge ne lit pas les adresses privées "
                f"(réseau local, le serveur lui-même). {detail_fr}",
            )
        ]
    if code == "timeout":
        seconds = f"{policy.total_timeout_s:g}"
        return [
            Finding(
                code,
                f"The server did not answer within {seconds} s; try again later, or the "
                "platform may be down.",
                f"Le serveur n’a pas répondu en {seconds} s ; réessayez plus tard, la plateforme "
                "est peut-être en panne.",
            )
        ]
    if code == "too_large":
        with override("en"):
            limit = filesizeformat(policy.max_bytes)
        with override("fr"):
            limit_fr = filesizeformat(policy.max_bytes)
        return [
            Finding(
                code,
                f"The feed is larger than the {limit} limit: export a shorter period if the "
                "platform allows it.",
                f"Le flux dépasse la limite de {limit_fr} : exportez une période plus courte si "
                "la plateforme le permet.",
            )
        ]
    if code in ("incomplete", "decode_error"):
        return [_truncated()]
    return [Finding(code, detail, detail_fr)]


def _status_finding(status: int | None, detail: str, detail_fr: str) -> Finding:
    if status in (404, 410):
        return Finding(
            "not_found",
            f"The link is wrong or was reset ({status}): copy it again from the platform.",
            f"Le lien est faux ou a été réinitialisé ({status}) : recopiez-le depuis la "
            "plateforme.",
        )
    if status in (401, 403):
        return Finding(
            "refused",
            f"The server refused us ({status}): the link is private or expired, or the server "
            "turns away calendar programs (some refuse requests without a browser’s "
            "User-Agent).",
            f"Le serveur a refusé l’accès ({status}) : le lien est privé ou expiré, ou le "
            "serveur refuse les logiciels d’agenda (certains exigent le User-Agent d’un "
            "navigateur).",
        )
    return Finding("http_error", detail, detail_fr)


def _not_calendar_finding(detail: str, detail_fr: str) -> Finding:
    # The fetch names what it received in its message (outbound.fetch_body.calendar_body).
    if "(0 bytes)" in detail:
        return Finding(
            "empty",
            "The feed is empty (0 bytes): platforms sometimes answer this by mistake; "
            "icalbridge keeps your bookings until a real calendar comes back.",
            "Le flux est vide (0 octet) : les plateformes répondent parfois cela par erreur ; "
            "icalbridge garde vos réservations jusqu’au retour d’un vrai calendrier.",
        )
    if "web page" in detail:
        return Finding(
            "login_page",
            "The server answered a login page, not a calendar: the link needs a login, or it "
            "is the page’s address instead of the calendar’s export link.",
            "Le serveur a répondu par une page de connexion, pas un calendrier : le lien "
            "demande une connexion, ou c’est l’adresse de la page et non le lien d’export.",
        )
    if "JSON" in detail:
        return Finding(
            "json",
            "This is JSON, not a calendar: the link points to the platform’s programming "
            "interface; use its iCal (.ics) export link.",
            "C’est du JSON, pas un calendrier : le lien mène à l’interface de programmation "
            "de la plateforme ; utilisez son lien d’export iCal (.ics).",
        )
    return Finding("not_calendar", detail, detail_fr)


def _truncated() -> Finding:
    return Finding(
        "truncated",
        "The calendar is cut off: it did not arrive whole, so icalbridge frees no date "
        "from it; this usually passes on the next try.",
        "Le calendrier est tronqué : il n’est pas arrivé en entier, donc icalbridge ne "
        "libère aucune date d’après lui ; cela passe en général au prochain essai.",
    )


def _feed_diagnosis(feed: Feed, today: date, zone: ZoneInfo) -> Diagnosis:
    if not feed.is_calendar:
        message = feed.problems[0].message if feed.problems else "This is not a calendar."
        return Diagnosis(False, [Finding("not_calendar", message, message)])
    if feed.is_truncated:
        return Diagnosis(False, [_truncated()])
    findings = [_summary(feed, zone)]
    if feed.events:
        last = max(_last_day(e, zone) for e in feed.events)
        if last < today:
            findings.append(
                Finding(
                    "only_past",
                    f"The calendar holds only past events (the last ends on {last}): the "
                    "platform may have stopped updating this link.",
                    f"Le calendrier ne contient que des événements passés (le dernier finit le "
                    f"{last}) : la plateforme ne met peut-être plus ce lien à jour.",
                )
            )
        elif last <= today + timedelta(days=SHORT_HORIZON_DAYS):
            days = (last - today).days
            findings.append(
                Finding(
                    "short_horizon",
                    f"The feed ends in {days} days: the platform only exports its next "
                    f"{days} days?",
                    f"Le flux s’arrête dans {days} jours : la plateforme n’exporte-t-elle que "
                    f"ses {days} prochains jours ?",
                )
            )
    if feed.problems:
        count = len(feed.problems)
        findings.append(
            Finding(
                "repairs",
                f"{count} problem(s) were repaired or skipped while reading; "
                "`icalbridge inspect FILE` lists them.",
                f"{count} problème(s) ont été réparés ou ignorés à la lecture ; "
                "`icalbridge inspect FICHIER` les détaille.",
            )
        )
    return Diagnosis(True, findings)


def _summary(feed: Feed, zone: ZoneInfo) -> Finding:
    if feed.platform:
        platform = platform_by_id(feed.platform)
        names = (f"Recognised platform: {platform.name_en}.", f"Plateforme : {platform.name_fr}.")
    else:
        names = ("Platform not recognised.", "Plateforme non reconnue.")
    if not feed.events:
        return Finding(
            "calendar",
            f"{names[0]} A valid calendar with no events.",
            f"{names[1]} Un calendrier valide, sans aucun événement.",
        )
    first = min(_first_day(e, zone) for e in feed.events)
    last = max(_last_day(e, zone) for e in feed.events)
    count = len(feed.events)
    return Finding(
        "calendar",
        f"{names[0]} {count} event(s) from {first} to {last}.",
        f"{names[1]} {count} événement(s) du {first} au {last}.",
    )


def _first_day(event: FeedEvent, zone: ZoneInfo) -> date:
    span = event.span
    return span.start if isinstance(span, Nights) else span.start.astimezone(zone).date()


def _last_day(event: FeedEvent, zone: ZoneInfo) -> date:
    """Return the last day an event occupies (a stay's check-out day is free again)."""
    span = event.span
    if isinstance(span, Nights):
        return span.end - timedelta(days=1)
    return span.end.astimezone(zone).date()


def is_feed_url(text: str) -> bool:
    """Tell whether an inspect argument is a link (diagnosed) rather than a file (read)."""
    return text.lower().startswith(("http://", "https://", "webcal://", "webcals://"))


def doctor_main(argv: list[str]) -> int:
    """Run ``icalbridge inspect URL``: exit 0 when the feed is usable, 2 otherwise."""
    parser = argparse.ArgumentParser(
        prog="icalbridge inspect", description="Fetch a feed link and explain what is wrong."
    )
    parser.add_argument("url")
    parser.add_argument("--tz", default="Europe/Paris", help="the unit's time zone")
    parser.add_argument("--lang", choices=("en", "fr"), default=cli_language())
    parser.add_argument("--json", action="store_true", help="print the diagnosis as JSON")
    args = parser.parse_args(argv)
    zone = ZoneInfo(args.tz)
    today = clock.now().astimezone(zone).date()
    diagnosis = diagnose_url(args.url, today=today, zone=args.tz)
    if args.json:
        print(json.dumps({"url": args.url, **asdict(diagnosis)}, ensure_ascii=False, indent=2))
    else:
        verdict = {
            ("en", True): "Usable feed.",
            ("en", False): "This link cannot be imported as it is.",
            ("fr", True): "Flux utilisable.",
            ("fr", False): "Ce lien ne peut pas être importé tel quel.",
        }[(args.lang, diagnosis.ok)]
        print(verdict)
        for finding in diagnosis.findings:
            text = finding.message_fr if args.lang == "fr" else finding.message_en
            print(f"- {text}")
    return 0 if diagnosis.ok else 2
