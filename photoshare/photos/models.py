"""The Photo document (comments and ratings embedded) and the Tag document."""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from photoshare.clock import utcnow
from photoshare.media.metadata import Camera
from photoshare.photos.search import SORTS

# Bounds that keep a photo document far below MongoDB's 16 MiB limit (docs/architecture.md):
# 1,000 comments of 1,000 four-byte characters are ~4 MB, 20,000 ratings ~1.3 MB.
MAX_COMMENTS = 1000
MAX_RATINGS = 20_000


class Comment(BaseModel):
    id: PydanticObjectId = Field(default_factory=PydanticObjectId)
    author_id: PydanticObjectId
    text: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Rating(BaseModel):
    user_id: PydanticObjectId
    stars: int
    created_at: datetime = Field(default_factory=utcnow)


class Dimensions(BaseModel):
    width: int
    height: int


def photo_indexes() -> list[IndexModel]:
    """Every list query is an equality on (owner, terms), then one of four sort orders.

    ``newest``/``oldest`` walk (created_at, _id) one way or the other; ``top_rated`` and
    ``lowest_rated`` walk (rating_average, created_at, _id). ``taken_newest`` walks
    (taken_at, _id) down, where photos without taken_at (null) come last by themselves;
    ``taken_oldest`` cannot walk the same index up (they would come first), so it walks
    (taken_at_known, taken_at, _id) with the known ones first. Tag filters and keywords
    both live in ``search_terms`` (tags as ``tag:<name>``): MongoDB cannot put two array
    fields in one compound index, and this way one index serves both.
    """
    # One index per order (search.SORTS); ``oldest`` and ``lowest_rated`` walk theirs up.
    orders = (
        ("newest", SORTS["newest"]),
        ("top", SORTS["top_rated"]),
        ("taken_newest", SORTS["taken_newest"]),
        ("taken_oldest", SORTS["taken_oldest"]),
    )
    prefixes: dict[str, list[tuple[str, int]]] = {
        "": [],
        "owner_": [("owner_id", ASCENDING)],
        "terms_": [("search_terms", ASCENDING)],
        "owner_terms_": [("owner_id", ASCENDING), ("search_terms", ASCENDING)],
    }
    indexes = [
        IndexModel([*prefix, *order], name=f"{name}{order_name}")
        for name, prefix in prefixes.items()
        for order_name, order in orders
    ]
    return [
        *indexes,
        # Profile statistics: comments a user wrote, photos a user rated.
        IndexModel([("comments.author_id", ASCENDING)], name="comment_authors"),
        IndexModel([("ratings.user_id", ASCENDING)], name="raters"),
    ]


class Photo(Document):
    owner_id: PydanticObjectId
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    # Folded words of the description and tag names, for index-backed keyword search.
    search_terms: list[str] = Field(default_factory=list)
    storage_key: str
    width: int
    height: int
    format: str
    bytes: int
    content_hash: str
    # Display sizes by name (media.sizes), stored beside the image; None for photos
    # stored before they existed, until `photoshare backfill-derivatives`.
    sizes: dict[str, Dimensions] | None = None
    placeholder: str | None = None
    # From the upload's EXIF (photos.camera): the moment as UTC, the camera's offset in
    # minutes, or with no offset known the camera's wall clock as if it were UTC.
    taken_at: datetime | None = None
    taken_at_offset_minutes: int | None = None
    # True when taken_at is known, else null: null and missing (photos stored before
    # taken_at existed) sort alike, after True, for ``taken_oldest``.
    taken_at_known: bool | None = None
    camera: Camera | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    comments: list[Comment] = Field(default_factory=list)
    comments_count: int = 0
    ratings: list[Rating] = Field(default_factory=list)
    rating_sum: int = 0
    rating_count: int = 0
    rating_average: float = 0.0

    class Settings:
        name = "photos"
        indexes = photo_indexes()


class Tag(Document):
    name: str
    photos_count: int = 0

    class Settings:
        name = "tags"
        indexes = [
            IndexModel([("name", ASCENDING)], unique=True, name="name_unique"),
            IndexModel([("photos_count", DESCENDING), ("name", ASCENDING)], name="most_used"),
        ]
