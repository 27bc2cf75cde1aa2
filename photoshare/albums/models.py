"""The Album document: an owner's ordered list of photo ids, with its visibility."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from photoshare.clock import utcnow

# The most photos one album holds (shared/API.md: 409 beyond). 1,000 ids are ~14 KB.
MAX_ALBUM_PHOTOS = 1000


class Visibility(StrEnum):
    public = "public"  # listed to everyone
    unlisted = "unlisted"  # anyone with its id or link, never listed to others
    private = "private"  # its owner and admins; anyone else is told it does not exist


# ``listed_for`` of a public album; any other album is listed for its owner alone.
LISTED_FOR_EVERYONE = "public"


def listed_for(visibility: Visibility, owner_id: PydanticObjectId) -> str:
    """Who finds the album in a list without naming its owner: everyone, or its owner.

    One scalar field lets "others' public albums and all of mine" be a single ``$in`` on
    one index, walked newest first (an ``$or`` of two conditions would need two).
    """
    return LISTED_FOR_EVERYONE if visibility is Visibility.public else str(owner_id)


_NEWEST = [("created_at", DESCENDING), ("_id", DESCENDING)]


class Album(Document):
    title: str
    description: str = ""
    visibility: Visibility = Visibility.public
    owner_id: PydanticObjectId
    # Kept with visibility in the same update (see listed_for).
    listed_for: str
    # In album order, each at most once, at most MAX_ALBUM_PHOTOS.
    photo_ids: list[PydanticObjectId] = Field(default_factory=list)
    # Raised by every change of photo_ids: a new order is stored only over the list it was
    # checked against (albums.membership.reorder).
    photos_version: int = 0
    # Shown as the cover while it is in photo_ids; otherwise the first photo is.
    cover_photo_id: PydanticObjectId | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "albums"
        indexes = [
            # Lists: everything (admins), one audience set, one owner, one owner's public.
            IndexModel(_NEWEST, name="newest"),
            IndexModel([("listed_for", ASCENDING), *_NEWEST], name="listed_newest"),
            IndexModel([("owner_id", ASCENDING), *_NEWEST], name="owner_newest"),
            IndexModel(
                [("owner_id", ASCENDING), ("visibility", ASCENDING), *_NEWEST],
                name="owner_visibility_newest",
            ),
            # A deleted photo leaves every album holding it (an array: an index of its own).
            IndexModel([("photo_ids", ASCENDING)], name="photo_ids"),
        ]
