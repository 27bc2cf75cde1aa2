"""What a user has posted and received, as far as photos know it: the profile's statistics.

The users domain asks here and composes the profile; it never reads a Photo itself.
Photos, ratings given and ratings received are counted from the photos, each with one
index-served query whose cost follows the number of photos involved. Comments written
are a counter on the author's account (see ``users.service.count_comments_written``),
moved right after each comment is added or removed: counting them from the photos would
cost as much as everything the user ever wrote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from beanie import PydanticObjectId

from photoshare.db import aggregate, collection, count
from photoshare.photos.models import Photo
from photoshare.photos.ratings.schemas import RatingSummary


@dataclass
class ProfileStats:
    """A user's photos, the ratings they gave and the ratings their photos received."""

    photos_count: int = 0
    ratings_given: int = 0
    rating_received: RatingSummary = field(default_factory=RatingSummary)


async def profile_stats(user_id: PydanticObjectId) -> ProfileStats:
    """Count a user's photos and ratings given, and the ratings their photos received."""
    received = await aggregate(
        Photo,
        [
            {"$match": {"owner_id": user_id}},
            {"$project": {"rating_sum": 1, "rating_count": 1}},
            {
                "$group": {
                    "_id": None,
                    "photos": {"$sum": 1},
                    "stars": {"$sum": "$rating_sum"},
                    "ratings": {"$sum": "$rating_count"},
                }
            },
        ],
    )
    totals: dict[str, Any] = received[0] if received else {}
    ratings = int(totals.get("ratings", 0))
    average = round(totals.get("stars", 0) / ratings, 2) if ratings else 0.0
    return ProfileStats(
        photos_count=int(totals.get("photos", 0)),
        ratings_given=await count(Photo, {"ratings.user_id": user_id}),
        rating_received=RatingSummary(average=average, count=ratings),
    )


async def photos_count(owner_id: PydanticObjectId) -> int:
    """How many photos a user has posted."""
    return await count(Photo, {"owner_id": owner_id})


def comments_by_author(comments: Iterable[dict[str, Any]]) -> Counter[PydanticObjectId]:
    """How many of these (raw) comments each author wrote."""
    return Counter(PydanticObjectId(comment["author_id"]) for comment in comments)


async def comments_written_by_author() -> Counter[PydanticObjectId]:
    """How many comments each author has on all photos (a full recount, for migrations)."""
    # Counted here rather than $unwind-ed: the embedded store copies the whole array for
    # every element it unwinds.
    written: Counter[PydanticObjectId] = Counter()
    async for doc in collection(Photo).find({}, {"comments.author_id": 1}):
        written.update(comments_by_author(doc.get("comments", [])))
    return written
