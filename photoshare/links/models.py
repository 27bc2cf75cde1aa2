"""The Link document: a photo with a canonical transformation, behind a short public path."""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from photoshare.clock import utcnow


class Link(Document):
    photo_id: PydanticObjectId
    transformation: str
    slug: str
    created_by: PydanticObjectId
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "links"
        indexes = [
            # One link per photo and canonical transformation, even under racing requests.
            IndexModel(
                [("photo_id", ASCENDING), ("transformation", ASCENDING)],
                unique=True,
                name="photo_transformation_unique",
            ),
            IndexModel([("slug", ASCENDING)], unique=True, name="slug_unique"),
            # Links made in the same millisecond tie on created_at: _id orders them for good.
            # (Renamed from "photo_oldest", so an existing database builds it beside the old one.)
            IndexModel(
                [("photo_id", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
                name="photo_created_id",
            ),
        ]
