"""Text as people read it: which characters a field accepts, and how text is compared.

Text is stored as sent but compared in its folded form (Unicode NFKC, then case
folding), so a fullwidth ``cat``, ``Cat`` and ``CAT`` are one tag and a fullwidth email is
the same account. Control characters are refused everywhere (422); multi-line fields
(descriptions, bios, comments) also accept newline (``\\n`` or ``\\r\\n``) and tab. A lone
surrogate (``"\\ud800"`` in JSON) is refused too: it cannot be stored as UTF-8.

Use the validators last in an ``Annotated`` type, after any length constraint, so the
constraint keeps its own error: ``Annotated[str, Query(max_length=32), SINGLE_LINE]``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Unicode's control characters (category Cc) are exactly C0, DEL and C1.
_SINGLE_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Multi-line text keeps tab, LF and the CR of a CRLF (what browsers send for a textarea).
_MULTI_LINE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")


# A MongoDB pattern for stored keys holding any non-ASCII character: only those can fold
# differently from the plain lower-casing of earlier versions.
NON_ASCII = "[^\\x00-\\x7f]"


def fold(text: str) -> str:
    """The form text is compared in: NFKC, then case folding (fullwidth ``CAFÉ`` -> ``café``)."""
    # Folding can produce text that NFKC changes again (e.g. compatibility forms of ß).
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _refuse(value: Any, control: re.Pattern[str], allowed: str) -> Any:
    if not isinstance(value, str):
        return value  # the field's own type check answers
    if match := _SURROGATE.search(value):
        raise PydanticCustomError(
            "unicode_surrogate",
            "Text must be valid Unicode: the lone surrogate at position {position} "
            "cannot be stored",
            {"position": match.start()},
        )
    if match := control.search(value):
        character = f"U+{ord(match.group()[0]):04X}"
        raise PydanticCustomError(
            "control_character",
            f"Control character {{character}} at position {{position}} is not allowed{allowed}",
            {"character": character, "position": match.start()},
        )
    return value


def single_line(value: Any) -> Any:
    """Refuse control characters (newline and tab included) and lone surrogates."""
    return _refuse(value, _SINGLE_LINE_CONTROL, "")


def multi_line(value: Any) -> Any:
    """Refuse control characters other than newline and tab, and lone surrogates."""
    return _refuse(value, _MULTI_LINE_CONTROL, " (only newline and tab are)")


SINGLE_LINE = BeforeValidator(single_line)
MULTI_LINE = BeforeValidator(multi_line)

SingleLine = Annotated[str, SINGLE_LINE]
"""A one-line text field or query parameter."""

MultiLine = Annotated[str, MULTI_LINE]
"""A text field that may hold several lines (a description, a bio, a comment)."""
