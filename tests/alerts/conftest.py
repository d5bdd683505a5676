"""A real SMTP server and a real webhook receiver on 127.0.0.1, and hosts to alert."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model

from icalbridge.hub.models import (
    Booking,
    Channel,
    Conflict,
    Membership,
    Organization,
    Role,
    Unit,
    UserPreference,
)
from icalbridge.organizations.owners import new_user_with_organization
from icalbridge.sync.conflict_tracking import update_unit_conflicts
from tests.alerts.receiver import WebhookReceiver


@dataclass
class Inbox:
    """The messages an SMTP server on 127.0.0.1 accepted, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def clear(self) -> None:
        self.messages.clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpServer:
    inbox: Inbox
    port: int
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server; Django's SMTP backend sends to it."""
    server = SmtpServer(Inbox(), free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.PUBLIC_URL = "https://hub.example.test"
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def inbox(smtp: SmtpServer) -> Inbox:
    return smtp.inbox


@pytest.fixture
def receiver(settings: Any) -> Iterator[WebhookReceiver]:
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    server = WebhookReceiver()
    try:
        yield server
    finally:
        server.stop()


def new_host(email_address: str, language: str, *, digest: bool = False) -> Organization:
    """Create a host owning a new organization, with their alert language."""
    user, organization = new_user_with_organization(email_address, "a-long-password-1", "Host")
    UserPreference.objects.create(user=user, language=language, digest=digest)
    return organization


def add_member(organization: Organization, email_address: str, role: Role, language: str) -> None:
    user = get_user_model().objects.create_user(
        username=email_address, email=email_address, password="a-long-password-1"
    )
    Membership.objects.create(user=user, organization=organization, role=role)
    UserPreference.objects.create(user=user, language=language)


def parts_of(message: EmailMessage) -> tuple[str, str]:
    """Return the plain-text and HTML parts of a message, failing if one is missing."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, "both a text and an HTML part"
    return text.get_content(), html.get_content()


def double_booking(organization: Organization, now: datetime, name: str = "Studio") -> Conflict:
    """Book a unit twice (a local booking and one from a channel) and detect the conflict."""
    unit = Unit.objects.create(organization=organization, name=name)
    channel = Channel.objects.create(unit=unit, name="Abritel", platform="abritel")
    start = now.date() + timedelta(days=30)
    for origin, summary in ((None, "Famille Martin"), (channel, "Reserved")):
        Booking.objects.create(
            unit=unit,
            kind="reserved",
            summary=summary,
            start_date=start,
            end_date=start + timedelta(days=4),
            origin=origin,
            remote_uid="ab-1" if origin else "",
        )
    (conflict,) = update_unit_conflicts(unit, now)
    return conflict
