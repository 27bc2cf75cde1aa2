"""The Photo document (comments and ratings embedded) and the Tag document."""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from photoshare.users.models import utcnow


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


class Photo(Document):
    owner_id: PydanticObjectId
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    # Lower-cased words of the description and tag names, for index-backed keyword search.
    search_terms: list[str] = Field(default_factory=list)
    storage_key: str
    width: int
    height: int
    format: str
    bytes: int
    content_hash: str
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
        indexes = [
            IndexModel([("created_at", DESCENDING)], name="newest"),
            IndexModel([("owner_id", ASCENDING), ("created_at", DESCENDING)], name="owner_newest"),
            IndexModel([("tags", ASCENDING), ("created_at", DESCENDING)], name="tag_newest"),
            IndexModel(
                [("search_terms", ASCENDING), ("created_at", DESCENDING)], name="terms_newest"
            ),
        ]


class Tag(Document):
    name: str
    photos_count: int = 0

    class Settings:
        name = "tags"
        indexes = [
            IndexModel([("name", ASCENDING)], unique=True, name="name_unique"),
            IndexModel([("photos_count", DESCENDING), ("name", ASCENDING)], name="most_used"),
        ]
