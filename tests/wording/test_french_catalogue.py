"""Every message the code and templates can show has a French translation, none fuzzy.

A message missing from the catalogue, or marked fuzzy (which gettext skips), reaches a
French host in English.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[2]
FRENCH = REPO / "icalbridge" / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_every_message_the_code_can_show_reads_in_french(tmp_path: Path) -> None:
    template = tmp_path / "django.pot"
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "extract_messages.py"), str(template)],
        check=True,
        capture_output=True,
    )
    with template.open("rb") as extracted:
        wanted = [message.id for message in read_po(extracted) if message.id]
    with FRENCH.open("rb") as french:
        catalogue = read_po(french, locale="fr")

    untranslated = []
    for msgid in wanted:
        message = catalogue.get(msgid)
        strings = message.string if message is not None else ""
        forms = strings if isinstance(strings, tuple) else (strings,)
        if message is None or message.fuzzy or not all(forms):
            untranslated.append(msgid)
    assert wanted and untranslated == []
    assert [m.id for m in catalogue if m.id and m.fuzzy] == []
