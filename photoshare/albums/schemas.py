"""API shapes for albums; never the Album document itself."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from photoshare.albums.models import MAX_ALBUM_PHOTOS, Visibility
from photoshare.photos.schemas import PhotoOut
from photoshare.text import MULTI_LINE, SINGLE_LINE
from photoshare.users.schemas import UserRef

MAX_TITLE_LENGTH = 100
MAX_ALBUM_DESCRIPTION_LENGTH = 2000


def _trimmed_title(value: str) -> str:
    title = value.strip()
    if not title:
        raise ValueError("title cannot be blank")
    return title


# The bounds apply to the text as sent, as the schema says; it is stored trimmed, and a
# title of whitespace alone is no title.
Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_TITLE_LENGTH),
    SINGLE_LINE,
    AfterValidator(_trimmed_title),
]
AlbumDescription = Annotated[
    str,
    StringConstraints(max_length=MAX_ALBUM_DESCRIPTION_LENGTH),
    MULTI_LINE,
    AfterValidator(str.strip),
]
# The ``owner`` filter of the album list: a username, compared as logins compare them.
OwnerFilter = Annotated[
    str, Query(max_length=64, description="Only this user's albums (a username)."), SINGLE_LINE
]
# An id as sent; one that names no photo is answered by the service (404 or 422).
PhotoIdIn = Annotated[str, StringConstraints(min_length=1, max_length=64), SINGLE_LINE]


class AlbumOut(BaseModel):
    id: str
    title: str
    description: str
    owner: UserRef
    visibility: Visibility
    cover: PhotoOut | None = Field(
        description="The chosen cover photo, else the first photo; null for an empty album."
    )
    photos_count: int
    created_at: datetime
    updated_at: datetime
    can_edit: bool = Field(description="Whether the caller may change it: its owner or an admin.")
    can_delete: bool = Field(description="Whether the caller may delete it: its owner or an admin.")


class AlbumCreate(BaseModel):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {"examples": [{"title": "Dunes", "visibility": "unlisted"}]},
    }

    title: Title
    description: AlbumDescription = ""
    visibility: Visibility = Visibility.public


class AlbumUpdate(BaseModel):
    """Any of the fields; ``cover_photo_id`` must be a photo in the album."""

    model_config = {"extra": "forbid"}

    title: Title | None = None
    description: AlbumDescription | None = None
    visibility: Visibility | None = None
    cover_photo_id: PhotoIdIn | None = None

    @model_validator(mode="after")
    def _no_null_text(self) -> AlbumUpdate:
        # Only a field left out keeps its value: an explicit null title or visibility
        # would clear what cannot be empty.
        for name in ("title", "description", "visibility"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null; leave it out to keep it")
        return self


class AlbumPhotoAdd(BaseModel):
    model_config = {"extra": "forbid"}

    photo_id: PhotoIdIn


class AlbumOrder(BaseModel):
    """Every photo of the album, each once, in the new order."""

    model_config = {"extra": "forbid"}

    photo_ids: Annotated[list[PhotoIdIn], Field(max_length=MAX_ALBUM_PHOTOS)]
