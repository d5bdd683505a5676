"""Turn a stable message code and its parameters into a sentence in the active language.

What a fetch or a reader reports is stored as a code plus parameters, never as English
text, so the same fact reads in French for one host and in English for another, and a
message worded better later also reads better in old rows.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import override

Params = Mapping[str, object]

# Parameters a person reads as a size ("2.0 MB", "2,0 Mo"), stored as a byte count.
SIZE_SUFFIX = "_bytes"


def text_key(code: str, params: Params) -> str:
    """Return the catalogue key of a message: its code, or code:variant when it has one."""
    variant = params.get("variant")
    return f"{code}:{variant}" if variant else code


def render_text(texts: Mapping[str, Promise], code: str, params: Params) -> str | None:
    """Return the message in the active language, or None when the code is not known."""
    template = texts.get(text_key(code, params))
    if template is None:
        return None
    values = {key: _shown(key, value) for key, value in params.items()}
    try:
        return str(template % values)
    except (KeyError, TypeError, ValueError):
        # A row stored before a parameter existed: the caller falls back to its text.
        return None


def render_english(texts: Mapping[str, Promise], code: str, params: Params) -> str:
    """Return the English message, kept beside the code for logs and operators."""
    with override("en"):
        return render_text(texts, code, params) or code


def _shown(key: str, value: object) -> object:
    if key.endswith(SIZE_SUFFIX):
        return filesizeformat(int(str(value)))
    text = str(value)
    # Plural messages pick their form from an integer, not from the stored string.
    return int(text) if text.lstrip("-").isdigit() else text
