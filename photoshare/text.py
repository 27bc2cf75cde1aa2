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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

# What each kind of field refuses, in one pass: Unicode's control characters (category Cc:
# C0, DEL and C1) and lone surrogates. Multi-line text keeps tab, LF and the CR of a CRLF
# (what browsers send for a textarea); a CR on its own is refused below.
_SINGLE_LINE_REFUSED = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_MULTI_LINE_REFUSED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

# A MongoDB pattern for stored keys holding any non-ASCII character: only those can fold
# differently from the plain lower-casing of earlier versions.
NON_ASCII = "[^\\x00-\\x7f]"


def fold(text: str) -> str:
    """The form text is compared in: NFKC, then case folding (fullwidth ``CAFÉ`` -> ``café``)."""
    # Folding can produce text that NFKC changes again (e.g. compatibility forms of ß).
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _first_refused(text: str, refused: re.Pattern[str], crlf_allowed: bool) -> re.Match[str] | None:
    start = 0
    while match := refused.search(text, start):
        if not (crlf_allowed and match.group() == "\r" and text.startswith("\n", match.end())):
            return match
        start = match.end() + 1
    return None


def _refuse(value: Any, refused: re.Pattern[str], multiline: bool) -> Any:
    if not isinstance(value, str):
        return value  # the field's own type check answers
    match = _first_refused(value, refused, crlf_allowed=multiline)
    if match is None:
        return value
    if "\ud800" <= match.group() <= "\udfff":
        raise PydanticCustomError(
            "unicode_surrogate",
            "Text must be valid Unicode: the lone surrogate at position {position} "
            "cannot be stored",
            {"position": match.start()},
        )
    allowed = " (only newline and tab are)" if multiline else ""
    raise PydanticCustomError(
        "control_character",
        f"Control character {{character}} at position {{position}} is not allowed{allowed}",
        {"character": f"U+{ord(match.group()):04X}", "position": match.start()},
    )


def single_line(value: Any) -> Any:
    """Refuse control characters (newline and tab included) and lone surrogates."""
    return _refuse(value, _SINGLE_LINE_REFUSED, multiline=False)


def multi_line(value: Any) -> Any:
    """Refuse control characters other than newline and tab, and lone surrogates."""
    return _refuse(value, _MULTI_LINE_REFUSED, multiline=True)


@dataclass(frozen=True)
class TextRule:
    """A before-validator that also states its rule in the JSON schema, as a ``pattern``.

    Clients and fuzzers reading the schema then know a control character is refused.
    Lone surrogates need no pattern: JSON text that holds one is not valid Unicode.
    """

    check: Callable[[Any], Any]
    pattern: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        # A field's own pattern (a username's) already leaves control characters out.
        if json_schema.get("type") == "string" and "pattern" not in json_schema:
            json_schema["pattern"] = self.pattern
        return json_schema


# The same sets as the regexes above, in the syntax JSON Schema (ECMA-262) reads.
SINGLE_LINE = TextRule(single_line, r"^[^\u0000-\u001f\u007f-\u009f]*$")
MULTI_LINE = TextRule(multi_line, r"^(?:[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]|\r\n)*$")
