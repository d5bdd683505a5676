"""A channel removed while its import runs is removed, and the import ends cleanly.

Once the removal answered 500 "FOREIGN KEY constraint failed" (the import added rows
between the deletion's look at what cascades and the deletion itself), and the alert
sender failed on the alerts that went with the channel.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone

from icalbridge import clock
from icalbridge.alerts.deliver import deliver_due_alerts
from icalbridge.hub.models import Alert, Booking, Channel, ImportRun
from icalbridge.sync.imports_now import import_now
from tests.reliability.test_large_feeds import minimal_feed
from tests.support.hub import new_channel, new_unit


class _HeldFeed(BaseHTTPRequestHandler):
    """Answer once ``release`` is set; set ``arrived`` when a request comes in."""

    body = b""
    arrived = threading.Event()
    release = threading.Event()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        type(self).arrived.set()
        type(self).release.wait(timeout=60)
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


@pytest.fixture
def held_feed_url() -> Iterator[str]:
    _HeldFeed.arrived, _HeldFeed.release = threading.Event(), threading.Event()
    _HeldFeed.body = minimal_feed(500, timezone.localdate())
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HeldFeed)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/held.ics"
    finally:
        _HeldFeed.release.set()
        server.shutdown()
        server.server_close()


@pytest.mark.django_db(transaction=True)
def test_removing_a_channel_during_its_import_succeeds_and_the_import_ends_cleanly(
    held_feed_url: str, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    unit = new_unit()
    channel = new_channel(unit, "Airbnb", "airbnb", url=held_feed_url)
    # An alert about this channel, waiting to be sent when the channel goes.
    Alert.objects.create(
        organization_id=unit.organization_id,
        cause="failing",
        channel=channel,
        created_at=clock.now(),
    )
    outcome: dict[str, Any] = {}

    def run_import() -> None:
        try:
            outcome["run"] = import_now(channel.pk, wait_s=5)
        except Exception as error:  # the test asserts there is none
            outcome["error"] = error
        finally:
            close_old_connections()

    importer = threading.Thread(target=run_import)
    importer.start()
    assert _HeldFeed.arrived.wait(timeout=30), "the import never fetched the feed"

    web = Client()
    web.force_login(get_user_model().objects.get(email="host@example.test"))
    response = web.post(f"/channels/{channel.public_id}/remove/")
    _HeldFeed.release.set()
    importer.join(timeout=120)

    assert response.status_code == 302, response.content[:500]
    assert not importer.is_alive()
    assert "error" not in outcome, outcome
    assert outcome["run"] is None
    assert not Channel.objects.filter(pk=channel.pk).exists()
    assert not Booking.objects.filter(origin_id=channel.pk).exists()
    assert not ImportRun.objects.filter(channel_id=channel.pk).exists()
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert deliver_due_alerts(clock.now() + timedelta(seconds=1)) == 0
