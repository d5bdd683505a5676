"""Generated requests against every operation of /api/v1/openapi.json: no 5xx, answers as documented.

The requests go through the WSGI application to the test database, with a real token. Half
of the generated ids are swapped for ids of real objects, so the cases reach the views'
bodies and not only their 404s.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from icalbridge.hub.models import Organization, Role
from tests.api.conftest import ApiClient, add_member, create_host
from tests.support.feed_server import FeedServer
from tests.support.hub import Stay, airbnb_feed, days_from_today

# Imports close the connection (claims): a test transaction would not survive them.
pytestmark = pytest.mark.django_db(transaction=True)

# About 30 operations: 10 cases each, plus schemathesis's own probes, make ~900 requests
# in under a minute. A longer hunt: ICALBRIDGE_FUZZ_EXAMPLES=200 (random instead of fixed).
LONG_HUNT = os.environ.get("ICALBRIDGE_FUZZ_EXAMPLES")
EXAMPLES_PER_OPERATION = int(LONG_HUNT or 10)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Django's own handler, not icalbridge.wsgi: that one sets Django up again, logging included.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@pytest.fixture
def world(transactional_db: None, feed_server: FeedServer, settings: Any) -> dict[str, str]:
    """A host with a unit, an importing and an exporting channel, a booking, feeds and tokens."""
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    # The WSGI client of schemathesis calls itself "localhost"; every case uses one token.
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.ICALBRIDGE_API_RATE_PER_MINUTE = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    host = ApiClient(create_host("fuzz@example.test"), Client())
    feed_server.serve(
        "/a.ics", airbnb_feed([Stay("f1@a.test", days_from_today(5), days_from_today(8))])
    )
    unit = host.post("/units", {"name": "Gîte"}).json()
    channel = host.post(
        f"/units/{unit['id']}/channels",
        {"name": "Airbnb", "platform": "airbnb", "import_url": feed_server.url("/a.ics")},
    ).json()
    host.post(f"/channels/{channel['id']}/import")
    booking = host.post(
        f"/units/{unit['id']}/bookings",
        {"kind": "reserved", "start": str(days_from_today(20)), "end": str(days_from_today(22))},
    ).json()
    organization = Organization.objects.get(memberships__user__username="fuzz@example.test")
    add_member(organization, "member@example.test", Role.MANAGER)
    org_id = host.get("/organizations").json()["items"][0]["id"]
    members = host.get(f"/organizations/{org_id}/members").json()["items"]
    return {
        "token": host.token or "",
        "unit": unit["id"],
        "channel": channel["id"],
        "booking": booking["id"],
        "organization": org_id,
        "member": next(m["id"] for m in members if m["email"] == "member@example.test"),
        "agenda_feed": host.post("/agenda-feeds", {"name": "Mine"}).json()["id"],
        # A spare token: revoking the one the cases use would turn the rest into 401s.
        "api_token": host.post("/api-tokens", {"name": "spare"}).json()["id"],
    }


def with_real_ids(case: Any, world: dict[str, str]) -> None:
    """Swap about half of the generated path ids for ids of real objects."""
    for name, value in list((case.path_parameters or {}).items()):
        if name in world and uuid.uuid5(uuid.NAMESPACE_OID, str(value)).int % 2 == 0:
            case.path_parameters[name] = world[name]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=LONG_HUNT is None,
)
def test_generated_requests_get_documented_answers_and_never_a_server_error(
    case: Any, world: dict[str, str]
) -> None:
    with_real_ids(case, world)
    case.call_and_validate(headers={"Authorization": f"Bearer {world['token']}"}, checks=CHECKS)
