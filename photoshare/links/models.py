"""The Link document: a photo (with a canonical transformation) or an album behind a short
public path, with an optional policy (expiry, a view limit, a password)."""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from photoshare.clock import utcnow


class Link(Document):
    # A photo link names its photo; an album link its album (and its photo_id is None).
    photo_id: PydanticObjectId | None = None
    album_id: PydanticObjectId | None = None
    # The canonical transformation of a photo link; "" for an album link.
    transformation: str = ""
    slug: str
    created_by: PydanticObjectId
    created_at: datetime = Field(default_factory=utcnow)
    # None for the one plain link of a photo and transformation; a link made apart from that
    # rule (one with a policy, an album's) carries its own slug here, so the unique index
    # below tells it apart. Links stored before v1.1 lack the field: they read as None.
    standalone_key: str | None = None
    # The policy: each None means no such rule. Links stored before v1.1 have none.
    expires_at: datetime | None = None
    max_views: int | None = None
    password_hash: str | None = None
    # Every answer of the link's URL that showed its image (a 304 is not one).
    views: int = 0
    last_viewed_at: datetime | None = None

    @property
    def has_policy(self) -> bool:
        """Whether a view must pass the gate (expiry, views left, password)."""
        return (
            self.expires_at is not None
            or self.max_views is not None
            or self.password_hash is not None
        )

    class Settings:
        name = "links"
        indexes = [
            # One plain link per photo and canonical transformation, even under racing
            # requests; links with a policy (and album links) each have a key of their own.
            # (Replaces "photo_transformation_unique", which held every link to one.)
            IndexModel(
                [
                    ("photo_id", ASCENDING),
                    ("transformation", ASCENDING),
                    ("standalone_key", ASCENDING),
                ],
                unique=True,
                name="photo_transformation_standalone_unique",
            ),
            IndexModel([("slug", ASCENDING)], unique=True, name="slug_unique"),
            # Links made in the same millisecond tie on created_at: _id orders them for good.
            # (Renamed from "photo_oldest", so an existing database builds it beside the old one.)
            IndexModel(
                [("photo_id", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
                name="photo_created_id",
            ),
            # "My links", newest first.
            IndexModel(
                [("created_by", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                name="creator_newest",
            ),
            # An album's links (removed with the album).
            IndexModel([("album_id", ASCENDING)], name="album"),
        ]
