"""API shapes for comments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, StringConstraints
from pydantic_core import PydanticCustomError

from photoshare.photos.schemas import Owner
from photoshare.text import MULTI_LINE


def _stripped(text: str) -> str:
    """The comment without surrounding whitespace; nothing but whitespace is no comment."""
    if not text.strip():
        raise PydanticCustomError("string_too_short", "The comment is empty")
    return text.strip()


# The length bounds the text as sent (what the schema says), then it is stripped.
CommentText = Annotated[
    str, StringConstraints(min_length=1, max_length=1000), MULTI_LINE, AfterValidator(_stripped)
]


class CommentIn(BaseModel):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {"examples": [{"text": "Lovely light!"}]},
    }

    text: CommentText


class CommentOut(BaseModel):
    id: str
    author: Owner
    text: str
    created_at: datetime
    updated_at: datetime
