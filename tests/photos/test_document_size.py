"""The largest photo the API allows stays far below MongoDB's 16 MiB document limit."""

from __future__ import annotations

import bson
import httpx
from beanie import PydanticObjectId

from photoshare.db import collection
from photoshare.photos.models import MAX_COMMENTS, MAX_RATINGS, Comment, Photo, Rating
from photoshare.photos.schemas import MAX_DESCRIPTION_LENGTH
from photoshare.photos.search import MAX_DESCRIPTION_TERMS
from photoshare.photos.tags.schemas import MAX_TAG_LENGTH, MAX_TAGS
from tests.factories import PhotoFactory, UserFactory

MONGODB_DOCUMENT_LIMIT = 16 * 1024 * 1024
# CJK Extension B ideographs: word characters, four bytes each in UTF-8, unchanged by folding.
_WIDE = 0x20000


def wide_text(length: int, start: int = 0) -> str:
    return "".join(chr(_WIDE + (start + i) % 40_000) for i in range(length))


async def test_the_largest_allowed_photo_is_well_under_the_document_limit(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner, commenter = await users.create(), await users.create()
    # Distinct four-character words: as many stored terms as a description can make.
    words = [wide_text(4, start=4 * i) for i in range(MAX_DESCRIPTION_LENGTH // 5)]
    description = " ".join(words)[:MAX_DESCRIPTION_LENGTH]
    tags = [wide_text(MAX_TAG_LENGTH, start=10_000 + 100 * i) for i in range(MAX_TAGS)]
    photo = await photos.upload(owner, description=description, tags=tags)
    photo_id = PydanticObjectId(str(photo["id"]))
    url = f"/api/v1/photos/{photo['id']}"

    # Every comment as long as allowed, all but the last stored directly (as posts would).
    text = wide_text(1000)
    author = PydanticObjectId(str(commenter.me["id"]))
    seeded = [Comment(author_id=author, text=text).model_dump() for _ in range(MAX_COMMENTS - 1)]
    ratings = [Rating(user_id=PydanticObjectId(), stars=5).model_dump() for _ in range(MAX_RATINGS)]
    await collection(Photo).update_one(
        {"_id": photo_id},
        {
            "$push": {"comments": {"$each": seeded}},
            "$inc": {"comments_count": len(seeded)},
            "$set": {
                "ratings": ratings,
                "rating_count": MAX_RATINGS,
                "rating_sum": 5 * MAX_RATINGS,
            },
        },
    )
    last = await client.post(f"{url}/comments", json={"text": text}, headers=commenter.headers)
    assert last.status_code == 201
    more = await client.post(f"{url}/comments", json={"text": text}, headers=commenter.headers)
    assert more.status_code == 409
    refused = await client.post(f"{url}/ratings", json={"stars": 1}, headers=commenter.headers)
    assert refused.status_code == 409

    stored = await collection(Photo).find_one({"_id": photo_id})
    assert len(stored["comments"]) == MAX_COMMENTS and len(stored["ratings"]) == MAX_RATINGS
    assert len(stored["search_terms"]) >= MAX_DESCRIPTION_TERMS + MAX_TAGS
    assert len(stored["description"].encode()) > 4 * MAX_DESCRIPTION_LENGTH * 0.75
    size = len(bson.encode(stored))
    # Well under: half the limit, whatever MongoDB adds when it stores it.
    assert 5_000_000 < size < MONGODB_DOCUMENT_LIMIT // 2, size
