"""API shapes for comments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from photoshare.text import MULTI_LINE
from photoshare.users.schemas import UserRef

# 1-1000 characters after trimming (shared/API.md): the bounds apply to the stripped text,
# so whitespace alone is too short, and whitespace around 1000 characters is not too long.
CommentText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000), MULTI_LINE
]


class CommentIn(BaseModel):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {"examples": [{"text": "Lovely light!"}]},
    }

    text: CommentText


class CommentOut(BaseModel):
    id: str
    author: UserRef
    text: str
    created_at: datetime
    updated_at: datetime
    can_edit: bool = Field(description="Whether the caller may change the text: its author only.")
    can_delete: bool = Field(description="Whether the caller may delete it: moderators and admins.")
