"""Caddy in front of ``icalbridge run``, as deploy/compose.yaml ships them, over real HTTPS.

Caddy (Debian's package) runs the site block of deploy/caddy/site.caddy with its own
certificate authority on loopback; the hub runs with the environment deploy/compose.yaml
gives it. Through them, a host signs in, an integrator creates a channel, a platform
fetches its export link, and each sees the right host, the https scheme and their own
address, whatever X-Forwarded-For they send.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from icalbridge.sim.hub_process import free_port
from tests.conftest import IN_CI, REPO
from tests.support.workers import wait_until

DOMAIN = "hub.icalbridge.test"
CLIENT_ADDRESS = "127.0.0.3"  # the client's own address: Caddy reaches the hub from 127.0.0.1
FORGED = "203.0.113.9"
PASSWORD = "a-long-enough-pass-phrase-42"
PROBE_LIMIT = 3
HUB = (sys.executable, "-m", "icalbridge.cli")


def caddy() -> str:
    found = shutil.which("caddy")
    if found is None:
        message = "caddy is not installed (scripts/install-test-tools installs Debian's as root)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def compose_environment(domain: str) -> dict[str, str]:
    """Return the hub's environment in deploy/compose.yaml, with the domain filled in."""
    compose = yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text())
    environment: dict[str, Any] = compose["services"]["hub"]["environment"]

    def filled(value: Any) -> str:
        def one(match: re.Match[str]) -> str:
            name, _, default = match.group(1).partition(":")
            if name == "ICALBRIDGE_DOMAIN":
                return domain
            return default[1:] if default.startswith("-") else ""

        return re.sub(r"\$\{([^}]*)\}", one, str(value))

    return {name: filled(value) for name, value in environment.items()}


@dataclass
class Site:
    base: str  # what the client connects to
    origin: str  # the hub's public origin, as a browser names it
    root_ca: Path
    data_dir: Path

    def client(self, **options: Any) -> httpx.Client:
        """Return a client that connects from CLIENT_ADDRESS and checks Caddy's certificate."""
        context = ssl.create_default_context(cafile=str(self.root_ca))
        transport = httpx.HTTPTransport(verify=context, local_address=CLIENT_ADDRESS)
        return httpx.Client(
            base_url=self.base,
            transport=transport,
            headers={"Host": self.origin.removeprefix("https://")},
            timeout=30,
            **options,
        )


def hub_environment(tmp_path: Path, origin: str) -> dict[str, str]:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ICALBRIDGE_", "DJANGO_")) and k not in ("DATABASE_URL", "REDIS_URL")
    }
    return {
        **inherited,
        **compose_environment(origin.removeprefix("https://")),
        "HOME": str(tmp_path),
        "ICALBRIDGE_DATA_DIR": str(tmp_path / "hub"),
        "ICALBRIDGE_FEED_PROBE_LIMIT": str(PROBE_LIMIT),
    }


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    binary = caddy()
    https_port, http_port, hub_port = free_port(), free_port(), free_port()
    origin = f"https://{DOMAIN}:{https_port}"
    (tmp_path / "hub").mkdir()
    env = hub_environment(tmp_path, origin)
    hub_log = (tmp_path / "hub.log").open("wb")
    hub = subprocess.Popen(
        [*HUB, "run", "--host", "127.0.0.1", f"--port={hub_port}", "--web-workers=1"],
        env=env,
        cwd=REPO,
        stdout=hub_log,
        stderr=subprocess.STDOUT,
    )
    # The test's own global options: loopback ports, Caddy's internal authority, no admin
    # endpoint, nothing installed into the machine's trust store. The site is the shipped one.
    caddyfile = tmp_path / "Caddyfile"
    caddyfile.write_text(
        "{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n"
        f"\thttp_port {http_port}\n\thttps_port {https_port}\n\tdefault_bind 127.0.0.1\n"
        f"\tstorage file_system {tmp_path / 'caddy'}\n}}\n\n"
        f"import {REPO / 'deploy' / 'caddy' / 'site.caddy'}\n"
    )
    caddy_log = (tmp_path / "caddy.log").open("wb")
    proxy = subprocess.Popen(
        [binary, "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
            "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
            "ICALBRIDGE_DOMAIN": f"{DOMAIN}:{https_port}",
            "ICALBRIDGE_UPSTREAM": f"127.0.0.1:{hub_port}",
        },
        stdout=caddy_log,
        stderr=subprocess.STDOUT,
    )
    root_ca = tmp_path / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    built = Site(f"https://127.0.0.1:{https_port}", origin, root_ca, tmp_path / "hub")
    try:
        assert wait_until(lambda: answers(built), timeout=90), logs(tmp_path)
        yield built
    finally:
        for process in (proxy, hub):
            process.send_signal(signal.SIGTERM)
        for process in (proxy, hub):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        hub_log.close()
        caddy_log.close()


def logs(tmp_path: Path) -> str:
    return "\n".join(
        f"--- {name}\n" + (tmp_path / name).read_text(errors="replace")[-3000:]
        for name in ("hub.log", "caddy.log")
    )


def answers(site: Site) -> bool:
    if not site.root_ca.exists():
        return False
    try:
        with site.client() as client:
            response = client.get("/healthz", extensions={"sni_hostname": DOMAIN})
        return response.status_code == 200
    except (httpx.HTTPError, ssl.SSLError):
        return False


def create_host(site: Site, email: str) -> str:
    """Create a host with `icalbridge createuser --api-token`; return the token printed."""
    env = hub_environment(site.data_dir.parent, site.origin)
    result = subprocess.run(
        [*HUB, "createuser", email, "--password", PASSWORD, "--api-token"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_through_caddy_a_host_signs_in_and_a_platform_fetches_an_https_export_link(
    site: Site,
) -> None:
    token = create_host(site, "marie@example.test")
    sni = {"sni_hostname": DOMAIN}
    with site.client() as browser:
        page = browser.get("/accounts/login/", extensions=sni)
        assert page.status_code == 200
        # The hub knows the request is secure: it tells browsers to keep to HTTPS, and its
        # cookies go over HTTPS only.
        assert "max-age=" in page.headers["Strict-Transport-Security"]
        assert "secure" in page.headers["Set-Cookie"].lower()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert csrf is not None
        signed_in = browser.post(
            "/accounts/login/",
            data={
                "username": "marie@example.test",
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf.group(1),
            },
            headers={"Origin": site.origin, "Referer": f"{site.origin}/accounts/login/"},
            extensions=sni,
        )
        # The form was accepted from the public origin (a 403 would be a refused CSRF check).
        assert signed_in.status_code == 302, signed_in.text[:500]

        api = {"Authorization": f"Bearer {token}", "X-Forwarded-For": FORGED}
        unit = browser.post("/api/v1/units", json={"name": "Gîte"}, headers=api, extensions=sni)
        assert unit.status_code == 201, unit.text
        channel = browser.post(
            f"/api/v1/units/{unit.json()['id']}/channels",
            json={"name": "Booking.com", "platform": "booking", "direction": "export"},
            headers=api,
            extensions=sni,
        )
        assert channel.status_code == 201, channel.text
        link = channel.json()["export_url"]
        # The link handed out names the public origin, over HTTPS.
        assert link.startswith(f"{site.origin}/ical/")

        # An audited action, sent with a forged X-Forwarded-For.
        made = browser.post(
            "/api/v1/api-tokens", json={"name": "script"}, headers=api, extensions=sni
        )
        assert made.status_code == 201, made.text
        audit = browser.get("/audit/", extensions=sni)
        assert audit.status_code == 200

    with site.client() as platform:
        feed = platform.get(link.removeprefix(site.origin), extensions=sni)
    assert feed.status_code == 200
    assert feed.headers["Content-Type"].startswith("text/calendar")
    assert feed.text.startswith("BEGIN:VCALENDAR")

    # Auditing recorded the client's own address, as Caddy saw it, not the one it forged.
    assert CLIENT_ADDRESS in audit.text
    assert FORGED not in audit.text


def test_a_prober_cannot_dodge_the_unknown_token_limit_by_forging_x_forwarded_for(
    site: Site,
) -> None:
    sni = {"sni_hostname": DOMAIN}
    statuses = []
    with site.client() as prober:
        for n in range(PROBE_LIMIT + 2):
            forged = {"X-Forwarded-For": f"198.51.100.{n + 1}"}
            answer = prober.get(f"/ical/{'x' * 30}{n:02d}.ics", headers=forged, extensions=sni)
            statuses.append(answer.status_code)
    assert statuses[:PROBE_LIMIT] == [404] * PROBE_LIMIT
    assert statuses[-1] == 429


def test_the_shipped_caddyfile_needs_only_the_domain(tmp_path: Path) -> None:
    adapted = subprocess.run(
        [caddy(), "adapt", "--config", "Caddyfile", "--adapter", "caddyfile"],
        cwd=REPO / "deploy" / "caddy",
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
        | {"ICALBRIDGE_DOMAIN": "cal.example.org"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert adapted.returncode == 0, adapted.stderr
    server = json.loads(adapted.stdout)["apps"]["http"]["servers"]["srv0"]
    assert server["listen"] == [":443"]  # HTTPS, with a certificate for the domain
    route = json.dumps(server["routes"])
    assert '"host": ["cal.example.org"]' in route and '"dial": "hub:8000"' in route
