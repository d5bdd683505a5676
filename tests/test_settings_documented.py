"""Every setting an operator can set is in docs/settings.md, and the public URL is enough."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import icalbridge.settings

REPO = Path(__file__).resolve().parent.parent
SETTINGS_PAGE = REPO / "docs" / "settings.md"
ENV_READERS = frozenset({"env_str", "env_bool", "env_int", "env_list"})


def settings_read_from_the_environment() -> set[str]:
    """Return the name of every variable settings.py reads through icalbridge.env."""
    tree = ast.parse(Path(icalbridge.settings.__file__).read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ENV_READERS
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def test_every_setting_read_from_the_environment_is_documented() -> None:
    read = settings_read_from_the_environment()
    assert "ICALBRIDGE_CSRF_TRUSTED_ORIGINS" in read  # the reader finds them at all
    page = SETTINGS_PAGE.read_text()
    missing = sorted(name for name in read if f"`{name}`" not in page)
    assert not missing, f"settings read in settings.py but not in docs/settings.md: {missing}"


def settings_under(env: dict[str, str], tmp_path: Path) -> dict[str, list[str]]:
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'hosts': settings.ALLOWED_HOSTS, "
        "'origins': settings.CSRF_TRUSTED_ORIGINS}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ICALBRIDGE_")}
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "icalbridge.settings",
            "ICALBRIDGE_DATA_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_a_public_https_url_is_all_an_operator_sets_for_hosts_and_form_origins(
    tmp_path: Path,
) -> None:
    found = settings_under({"ICALBRIDGE_PUBLIC_URL": "https://hub.example.org"}, tmp_path)
    assert "hub.example.org" in found["hosts"]
    assert found["origins"] == ["https://hub.example.org"]


def test_explicit_hosts_and_origins_win_over_the_public_url(tmp_path: Path) -> None:
    found = settings_under(
        {
            "ICALBRIDGE_PUBLIC_URL": "https://hub.example.org",
            "ICALBRIDGE_ALLOWED_HOSTS": "cal.example.net",
            "ICALBRIDGE_CSRF_TRUSTED_ORIGINS": "https://cal.example.net",
        },
        tmp_path,
    )
    assert found == {"hosts": ["cal.example.net"], "origins": ["https://cal.example.net"]}


def test_a_plain_http_public_url_trusts_no_extra_form_origin(tmp_path: Path) -> None:
    found = settings_under({"ICALBRIDGE_PUBLIC_URL": "http://127.0.0.1:8000"}, tmp_path)
    assert found["origins"] == []
