"""pydantic's validation errors worded in the reader's language, by their stable type.

pydantic writes its messages in English ("Field required"); each error also carries a type
(``missing``, ``string_too_long``...) and the values of its sentence (``ctx``), from which
the sentence is made again here from the catalogues. A type not listed gets a plain
sentence in the reader's language rather than pydantic's English.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_DATE = gettext_lazy("Give a date as YYYY-MM-DD.")
_DATETIME = gettext_lazy("Give a date and a time with its offset, e.g. 2026-07-10T15:00:00+02:00.")
_TIME = gettext_lazy("Give a time as HH:MM.")
_WHOLE = gettext_lazy("Give a whole number.")
_NUMBER = gettext_lazy("Give a number.")
_TEXT = gettext_lazy("Give a text.")
_BOOLEAN = gettext_lazy("Give true or false.")
_OBJECT = gettext_lazy("Give a JSON object.")
_LIST = gettext_lazy("Give a list.")
_LINK = gettext_lazy("Give a link starting with http:// or https://.")

VALIDATION_TEXTS: dict[str, Promise] = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("This field is not known."),
    "string_too_long": gettext_lazy("At most %(max_length)s characters."),
    "string_too_short": gettext_lazy("At least %(min_length)s characters."),
    "too_long": gettext_lazy("At most %(max_length)s items."),
    "too_short": gettext_lazy("At least %(min_length)s items."),
    "greater_than_equal": gettext_lazy("Give %(ge)s or more."),
    "greater_than": gettext_lazy("Give more than %(gt)s."),
    "less_than_equal": gettext_lazy("Give %(le)s or less."),
    "less_than": gettext_lazy("Give less than %(lt)s."),
    "enum": gettext_lazy("Give one of: %(expected)s."),
    "literal_error": gettext_lazy("Give one of: %(expected)s."),
    "string_type": _TEXT,
    "string_unicode": _TEXT,
    "int_parsing": _WHOLE,
    "int_type": _WHOLE,
    "int_from_float": _WHOLE,
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "bool_parsing": _BOOLEAN,
    "bool_type": _BOOLEAN,
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_parsing": _DATETIME,
    "datetime_type": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "time_parsing": _TIME,
    "time_type": _TIME,
    "list_type": _LIST,
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "url_parsing": _LINK,
    "url_scheme": _LINK,
    "url_type": _LINK,
    "json_invalid": gettext_lazy("The request body is not valid JSON."),
}
# Our own validators raise ValueError with a sentence already in the reader's language.
_OWN_SENTENCE = "value_error"
_QUOTED = re.compile(r"'([^']*)'")


def validation_text(error: dict[str, Any]) -> str:
    """Return one pydantic error as a sentence in the active language."""
    kind = str(error.get("type", ""))
    if kind == _OWN_SENTENCE:
        # pydantic prefixes the message of a custom validator; the sentence is ours.
        return str(error.get("msg", "")).removeprefix("Value error, ")
    text = VALIDATION_TEXTS.get(kind)
    if text is None:
        return _("This value is not valid.")
    values = dict(error.get("ctx") or {})
    if "expected" in values:
        # pydantic lists the choices in English ("'a', 'b' or 'c'"): keep only the choices.
        values["expected"] = ", ".join(_QUOTED.findall(str(values["expected"])))
    return str(text) % values
