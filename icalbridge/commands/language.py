"""The language the ``icalbridge`` command speaks: the one the shell's locale names."""

from __future__ import annotations

import os

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
