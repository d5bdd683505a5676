"""Sign-up tells nobody whether an address has an account: the same answer either way.

Before: signing up with a used address answered "An account exists with this address
already", so anyone could test who uses the hub (issue 20, item 6). Real HTTP to the live
server; the e-mails are those Django sends (its test mailbox).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core import mail

pytestmark = pytest.mark.django_db(transaction=True)

KNOWN = "claire@gites-du-moulin.test"
UNKNOWN = "paul@gites-du-lac.test"
PASSWORD = "Tilleuls-2026-ete"
LINK = re.compile(r"https?://\S+/accounts/signup/confirm/\S+/")


def browser(live_server: Any) -> httpx.Client:
    return httpx.Client(
        base_url=live_server.url, headers={"Accept-Language": "fr"}, follow_redirects=True
    )


def form_token(page: httpx.Response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def sign_up(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    form = client.get("/accounts/signup/")
    return client.post(
        "/accounts/signup/",
        data={
            "email": email,
            "organization": "Gîtes",
            "password": password,
            "csrfmiddlewaretoken": form_token(form),
        },
        headers={"Referer": str(form.url)},
    )


def as_seen(page: httpx.Response, email: str) -> str:
    """The page's words, with what differs by nature (the address typed, the CSRF token) out."""
    text = page.text.replace(email, "ADDRESS")
    text = re.sub(r'(csrfmiddlewaretoken" value=")[^"]+', r"\1TOKEN", text)
    return re.sub(r'("X-CSRFToken": ")[^"]+', r"\1TOKEN", text)


def open_account(client: httpx.Client, link: str) -> httpx.Response:
    confirm = client.get(link)
    assert confirm.status_code == 200
    return client.post(link, data={"csrfmiddlewaretoken": form_token(confirm)})


@pytest.fixture
def known(db: None) -> Any:
    return get_user_model().objects.create_user(username=KNOWN, email=KNOWN, password=PASSWORD)


def test_signing_up_answers_the_same_whether_the_address_has_an_account_or_not(
    live_server: Any, known: Any
) -> None:
    with browser(live_server) as first, browser(live_server) as second:
        for_known = sign_up(first, KNOWN, "another-Pass-2026")
        for_unknown = sign_up(second, UNKNOWN)
    assert for_known.status_code == for_unknown.status_code == 200
    assert for_known.url.path == for_unknown.url.path == "/accounts/signup/sent/"
    assert for_known.history[0].status_code == for_unknown.history[0].status_code == 302
    assert as_seen(for_known, KNOWN) == as_seen(for_unknown, UNKNOWN)
    assert "Un message est en route vers" in for_known.text
    assert "existe déjà" not in for_known.text

    # Only the address's owner learns which it was, by e-mail.
    (to_known,) = [m for m in mail.outbox if m.to == [KNOWN]]
    (to_unknown,) = [m for m in mail.outbox if m.to == [UNKNOWN]]
    assert to_known.subject == "Vous avez déjà un compte icalbridge"
    assert "/accounts/login/" in to_known.body and "/accounts/password_reset/" in to_known.body
    assert not LINK.search(to_known.body)
    assert to_unknown.subject == "Terminez la création de votre compte icalbridge"
    assert LINK.search(to_unknown.body)
    known.refresh_from_db()
    assert known.check_password(PASSWORD)  # the existing account is untouched


def test_the_e_mailed_link_opens_the_account_and_the_dashboard(live_server: Any) -> None:
    with browser(live_server) as client:
        sign_up(client, UNKNOWN)
        # Not before the link: the account waits.
        form = client.get("/accounts/login/")
        refused = client.post(
            "/accounts/login/",
            data={
                "username": UNKNOWN,
                "password": PASSWORD,
                "csrfmiddlewaretoken": form_token(form),
            },
        )
        assert refused.url.path == "/accounts/login/"
        found = LINK.search(mail.outbox[-1].body)
        assert found
        opened = open_account(client, found.group(0))
    # A new account lands on its first step: its first unit.
    assert opened.url.path == "/units/new/"
    assert "Gîtes" in opened.text
    # The link serves once.
    with browser(live_server) as someone_else:
        again = someone_else.get(found.group(0))
    assert again.status_code == 400
    assert "Ce lien ne fonctionne plus" in again.text


def test_an_address_signed_up_by_someone_else_is_still_its_owners_to_open(
    live_server: Any,
) -> None:
    with browser(live_server) as squatter:
        sign_up(squatter, UNKNOWN, "squatters-Pass-2026")
    squatters_link = LINK.search(mail.outbox[-1].body)
    with browser(live_server) as owner:
        sign_up(owner, UNKNOWN, PASSWORD)
        owners_link = LINK.search(mail.outbox[-1].body)
        assert squatters_link and owners_link
        assert owner.get(squatters_link.group(0)).status_code == 400
        assert open_account(owner, owners_link.group(0)).url.path == "/units/new/"
    user = get_user_model().objects.get(username=UNKNOWN)
    assert user.is_active and user.check_password(PASSWORD)
