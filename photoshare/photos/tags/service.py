"""Tag documents: created on first use, counted as photos gain and lose them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pymongo import ASCENDING, DESCENDING

from photoshare.db import DuplicateKeyError, collection, find_page
from photoshare.photos.models import Tag
from photoshare.photos.tags.schemas import TagCount, tag_name


async def count_added(names: Iterable[str]) -> None:
    """Count one more photo for each tag, creating tags seen for the first time."""
    tags = collection(Tag)
    for name in names:
        try:
            await tags.update_one({"name": name}, {"$inc": {"photos_count": 1}}, upsert=True)
        except DuplicateKeyError:
            # Another request created the tag between our match and our insert.
            await tags.update_one({"name": name}, {"$inc": {"photos_count": 1}})


async def count_removed(names: Iterable[str]) -> None:
    """Count one photo fewer for each tag."""
    tags = collection(Tag)
    for name in names:
        await tags.update_one(
            {"name": name, "photos_count": {"$gt": 0}}, {"$inc": {"photos_count": -1}}
        )


async def popular(prefix: str, limit: int, offset: int) -> tuple[list[TagCount], int]:
    """Tags in use, most used first, optionally those starting with ``prefix``."""
    query: dict[str, object] = {"photos_count": {"$gt": 0}}
    if prefix := tag_name(prefix):
        # Escaped: the user's text is matched literally, never as a pattern.
        query["name"] = {"$regex": f"^{re.escape(prefix)}"}
    order = [("photos_count", DESCENDING), ("name", ASCENDING)]
    docs, total = await find_page(
        Tag, query, order, offset, limit, {"_id": 0, "name": 1, "photos_count": 1}
    )
    return [TagCount(**doc) for doc in docs], total
