"""The language the ``icalbridge`` command speaks: the one the shell's locale names."""

from __future__ import annotations

import os
from pathlib import Path

SPOKEN = ("fr", "en")


def cli_language(environ: dict[str, str] | None = None) -> str:
    """Return "fr" or "en" from LC_ALL, LC_MESSAGES, then LANG (as gettext reads them)."""
    values = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = values.get(name, "")
        if value:
            code = value.split(".")[0].split("_")[0].lower()
            # C and POSIX mean "no preference": English, like the command's own help.
            return code if code in SPOKEN else "en"
    return "en"


def setup_translations() -> None:
    """Make the catalogues readable without the hub: no database, no data directory.

    For what reads a file and prints (``icalbridge inspect FILE``); the hub's own settings
    create its data directory and secret key, which a look at a file must not.
    """
    import django
    from django.apps import apps
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            USE_I18N=True, LANGUAGE_CODE="fr", LOCALE_PATHS=[Path(__file__).parents[1] / "locale"]
        )
    if not apps.ready:
        django.setup()
