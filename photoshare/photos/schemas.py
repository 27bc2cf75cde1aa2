"""API shapes for photos; never the Photo document itself."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, WithJsonSchema

from photoshare.photos.tags.schemas import TagNames
from photoshare.text import MULTI_LINE
from photoshare.users.models import User
from photoshare.users.schemas import RatingSummary, username_of

MAX_DESCRIPTION_LENGTH = 2000
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_DESCRIPTION_LENGTH), MULTI_LINE
]


class Owner(BaseModel):
    username: str
    avatar_url: str | None

    @classmethod
    def of(cls, user: User | None) -> Owner:
        """How a person appears on what they posted (a deleted account stays anonymous)."""
        return cls(username=username_of(user), avatar_url=user.avatar_url if user else None)


class PhotoOut(BaseModel):
    id: str
    url: str
    owner: Owner
    description: str
    tags: list[str]
    width: int
    height: int
    format: str
    bytes: int
    created_at: datetime
    updated_at: datetime
    rating: RatingSummary
    comments_count: int
    can_edit: bool = Field(description="Whether the caller may edit it: its owner or an admin.")
    can_delete: bool = Field(description="Whether the caller may delete it: its owner or an admin.")


# Tags in a JSON body: a list, or one comma-separated string ("sea, dunes").
_TAGS_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "array", "items": {"type": "string"}},
        {"type": "string", "description": "Comma-separated tags."},
        {"type": "null"},
    ],
    "description": "Replace the tags: at most 5 after splitting on commas, each 1-32 characters.",
}


class PhotoUpdate(BaseModel):
    """New description; tags replace the old ones when given."""

    model_config = {
        "extra": "forbid",
        "json_schema_extra": {"examples": [{"description": "Dunes at dawn", "tags": ["sea"]}]},
    }

    description: Description
    tags: Annotated[TagNames | None, WithJsonSchema(_TAGS_SCHEMA)] = None
