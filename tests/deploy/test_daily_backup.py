"""deploy/icalbridge-backup, which the systemd timer and the compose service run daily."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO

SCRIPT = REPO / "deploy" / "icalbridge-backup"
DAY_S = 24 * 3600


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, cwd=REPO, capture_output=True, text=True, timeout=180, check=True
    )


def hub_environment(data_dir: Path, **more: str) -> dict[str, str]:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ICALBRIDGE_", "DJANGO_")) and k not in ("DATABASE_URL", "REDIS_URL")
    }
    data_dir.mkdir(exist_ok=True)
    return {
        **inherited,
        "PATH": f"{Path(sys.executable).parent}:{inherited.get('PATH', '')}",
        "ICALBRIDGE_DATA_DIR": str(data_dir),
        **more,
    }


def aged(path: Path, days: float) -> Path:
    path.write_bytes(b"an older backup")
    then = time.time() - days * DAY_S
    os.utime(path, (then, then))
    return path


def test_a_daily_backup_restores_and_backups_past_the_days_kept_are_deleted(
    tmp_path: Path,
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    expired = aged(backups / "icalbridge-2026-01-01T030000Z.jsonl.gz", 15)
    kept = aged(backups / "icalbridge-2026-01-13T030000Z.jsonl.gz", 3)
    unrelated = aged(backups / "notes.txt", 40)
    env = hub_environment(
        tmp_path / "hub", ICALBRIDGE_BACKUP_DIR=str(backups), ICALBRIDGE_BACKUP_KEEP_DAYS="14"
    )
    run([sys.executable, "-m", "icalbridge.cli", "migrate"], env)
    run(
        [
            sys.executable,
            "-m",
            "icalbridge.cli",
            "createuser",
            "marie@example.test",
            "--password",
            "a-long-enough-pass-phrase-42",
        ],
        env,
    )

    written = Path(run(["sh", str(SCRIPT)], env).stdout.strip().splitlines()[-1])

    assert written.parent == backups and written.exists()
    assert not expired.exists()
    assert kept.exists() and unrelated.exists()
    assert not list(backups.glob(".partial-*"))
    elsewhere = hub_environment(tmp_path / "restored")
    run([sys.executable, "-m", "icalbridge.cli", "migrate"], elsewhere)
    restored = run([sys.executable, "-m", "icalbridge.cli", "restore", str(written)], elsewhere)
    assert "Restored" in restored.stdout
    users = run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from django.contrib.auth.models import User; "
            "print(*User.objects.values_list('username', flat=True))",
        ],
        {**elsewhere, "DJANGO_SETTINGS_MODULE": "icalbridge.settings"},
    )
    assert users.stdout.split() == ["marie@example.test"]
