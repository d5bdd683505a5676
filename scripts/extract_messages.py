"""Gather every translatable message of icalbridge (Python and templates) into a .pot file.

Then merge it into the catalogues and translate what is new:
    .venv/bin/python scripts/extract_messages.py /tmp/django.pot
    .venv/bin/pybabel update -i /tmp/django.pot -d icalbridge/locale -D django -w 100 \
        --no-fuzzy-matching --ignore-obsolete
GNU gettext (makemessages) is not on a fresh machine; Babel and Django's own template
parser do the same work here.
"""

from __future__ import annotations

import ast
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import django
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.pofile import write_po
from django.conf import settings

settings.configure(USE_I18N=True)
django.setup()

from django.utils.translation.template import templatize  # noqa: E402  (needs settings)

ROOT = Path(__file__).resolve().parent.parent / "icalbridge"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
CALL = re.compile(r"\b(n?p?gettext)\(")

Message = str | tuple[str, str]


def template_messages(text: str) -> Iterator[tuple[int, Message, str | None]]:
    """Yield the messages of a template turned into Python by Django's templatize()."""
    for match in CALL.finditer(text):
        start = match.start()
        for end in range(match.end(), min(len(text), match.end() + 3000)):
            if text[end] != ")":
                continue
            try:
                call = ast.parse(text[start : end + 1], mode="eval").body
            except SyntaxError:
                continue
            assert isinstance(call, ast.Call)
            args = [a.value for a in call.args if isinstance(a, ast.Constant)]
            lineno = text.count("\n", 0, start) + 1
            name = match.group(1)
            if name == "gettext":
                yield lineno, args[0], None
            elif name == "ngettext":
                yield lineno, (args[0], args[1]), None
            elif name == "pgettext":
                yield lineno, args[1], args[0]
            elif name == "npgettext":
                yield lineno, (args[1], args[2]), args[0]
            break


def main(target: str) -> None:
    catalog = Catalog(project="icalbridge", charset="utf-8")
    for path in sorted(ROOT.rglob("*")):
        if "migrations" in path.parts or "locale" in path.parts or "sim" in path.parts:
            continue
        where = str(path.relative_to(ROOT.parent))
        if path.suffix == ".py":
            source = io.BytesIO(path.read_bytes())
            for lineno, message, _, context in extract("python", source, keywords=KEYWORDS):
                catalog.add(message, None, [(where, lineno)], context=context)
        elif path.suffix in (".html", ".txt") and "templates" in path.parts:
            text = templatize(path.read_text(), origin=str(path))
            for lineno, message, context in template_messages(text):
                catalog.add(message, None, [(where, lineno)], context=context)
    with open(target, "wb") as handle:
        write_po(handle, catalog, width=100)
    print(f"{len(catalog)} messages written to {target}")


if __name__ == "__main__":
    main(sys.argv[1])
