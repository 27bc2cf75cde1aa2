"""Tag names as clients send them (repeated fields and/or commas) and as we keep them."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator

from photoshare.text import fold, single_line

MAX_TAGS = 5
MAX_TAG_LENGTH = 32
_TAG_PATTERN = re.compile(r"^[\w][\w -]*$")


def tag_name(text: str) -> str:
    """A tag as it is stored and looked up: folded, spaces collapsed, no leading '#'."""
    return " ".join(fold(text).split()).lstrip("#").strip()


def _split(value: Any) -> Any:
    """Accept a list, a comma-separated string, or a list of such strings."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return value
    names: list[Any] = []
    for item in value:
        # Checked before splitting and trimming, which would hide a tab or a newline.
        names.extend(single_line(item).split(",") if isinstance(item, str) else [item])
    return names


def _normalise(names: list[str]) -> list[str]:
    """Fold, trim and de-duplicate, keeping first-seen order; enforce the limits."""
    cleaned: list[str] = []
    for raw in names:
        name = tag_name(raw)
        if not name:
            continue
        if len(name) > MAX_TAG_LENGTH:
            raise ValueError(f"tag {name[:40]!r} is longer than {MAX_TAG_LENGTH} characters")
        if not _TAG_PATTERN.match(name):
            raise ValueError(f"tag {name!r} may hold only letters, digits, spaces, '-' and '_'")
        if name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags per photo, got {len(cleaned)}")
    return cleaned


TagNames = Annotated[list[str], BeforeValidator(_split), AfterValidator(_normalise)]


class TagCount(BaseModel):
    name: str
    photos_count: int
