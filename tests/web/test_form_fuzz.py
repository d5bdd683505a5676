"""Random and hostile values in every form of the interface never make a server error."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.test_roles import MATRIX, World, _kwargs
from tests.web.test_roles import world as roles_world  # noqa: F401  (a fixture)

# Transactions, not a rolled-back block: "Import now" closes and reopens its connection.
pytestmark = pytest.mark.django_db(transaction=True)

FORMS = sorted(
    {name for name, method, _ in MATRIX if method == "post"}
    | {"account_delete", "organization_switch"}
)
# Every field name the interface's forms read, and a few they do not.
FIELDS = [
    "name",
    "timezone",
    "check_in",
    "check_out",
    "kind",
    "category",
    "summary",
    "note",
    "start",
    "end",
    "start_time",
    "end_time",
    "apply_on",
    "channels",
    "direction",
    "dtend",
    "import_mode",
    "import_url",
    "ignore_phrases",
    "floating_tz",
    "platform",
    "email",
    "role",
    "password",
    "organization",
    "units",
    "kinds",
    "categories",
    "language",
    "next",
]
HOSTILE = [
    "",
    "0",
    "-1",
    "9" * 40,
    "2030-02-30",
    "0000-01-01",
    "25:99",
    "\x00",
    "a\x00b",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "http://127.0.0.1:1/x.ics",
    "http://[::1]/x.ics",
    "file:///etc/passwd",
    "webcal://calendar.invalid/x.ics",
    "owner",
    "both",
    "export",
    "chosen",
    "Europe/Paris",
    "Mars/Olympus",
    "../../etc/passwd",
    "%00",
    "\ud7ff\ue000",
    "🏠" * 300,
    "x" * 5000,
]
VALUES = st.one_of(st.text(max_size=60), st.sampled_from(HOSTILE))
POSTS = st.dictionaries(
    st.sampled_from(FIELDS), st.one_of(VALUES, st.lists(VALUES, max_size=3)), max_size=8
)


@pytest.fixture
def world(roles_world: World, settings: Any) -> World:  # noqa: F811
    """The role matrix's world; fetches are short, since some forms check a link."""
    settings.ICALBRIDGE_FETCH_TIMEOUT_S = 2
    return roles_world


@pytest.mark.parametrize("name", FORMS)
def test_no_form_answers_a_server_error_whatever_it_is_sent(world: World, name: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.owner)
    url = reverse(name, kwargs=_kwargs(world, name))

    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=POSTS, htmx=st.booleans())
    def post_anything(data: dict[str, Any], htmx: bool) -> None:
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.post(url, data, headers=headers)
        assert response.status_code < 500, (response.status_code, data)

    post_anything()


@settings(max_examples=30, deadline=None)
@given(data=POSTS)
def test_signing_up_answers_no_server_error_whatever_it_is_sent(data: dict[str, Any]) -> None:
    response = Client(raise_request_exception=False).post(reverse("signup"), data)
    assert response.status_code < 500, (response.status_code, data)


@pytest.mark.parametrize("value", [":", "9" * 40, "-1", "١٢", ""])
def test_a_mangled_organization_choice_is_not_found_rather_than_a_server_error(
    world: World, value: str
) -> None:
    # Found by the fuzzing above: int(":") used to answer 500.
    client = Client(raise_request_exception=False)
    client.force_login(world.owner)
    response = client.post(reverse("organization_switch"), {"organization": value})
    assert response.status_code == 404
