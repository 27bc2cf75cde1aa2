"""Ratings, embedded in their photo, with the totals kept in the same atomic update.

Adding a rating is one update whose filter refuses the owner and anyone who has
rated already, so two concurrent requests can never both succeed; the update itself
recomputes ``rating_sum``, ``rating_count`` and ``rating_average`` from the array.
"""

from __future__ import annotations

from typing import Any

from beanie import PydanticObjectId

from photoshare.clock import utcnow
from photoshare.db import collection
from photoshare.errors import Conflict, NotAllowed, NotFound
from photoshare.photos.models import MAX_RATINGS, Photo, Rating
from photoshare.photos.ratings.schemas import Rater, RatingOut, RatingSummary
from photoshare.users import service as users
from photoshare.users.models import User
from photoshare.users.schemas import username_of

# Pipeline stages that derive the totals from the ratings array.
_TOTALS: list[dict[str, Any]] = [
    {"$set": {"rating_count": {"$size": "$ratings"}, "rating_sum": {"$sum": "$ratings.stars"}}},
    {
        "$set": {
            "rating_average": {
                "$cond": [
                    {"$gt": ["$rating_count", 0]},
                    {"$divide": ["$rating_sum", "$rating_count"]},
                    0.0,
                ]
            }
        }
    },
]


def _summary(doc: dict[str, Any]) -> RatingSummary:
    return RatingSummary(
        average=round(float(doc.get("rating_average", 0.0)), 2), count=doc.get("rating_count", 0)
    )


async def rate(photo: Photo, user: User, stars: int) -> RatingSummary:
    """Add the user's rating; one per user, never on one's own photo."""
    assert user.id is not None
    rating = Rating(user_id=user.id, stars=stars, created_at=utcnow()).model_dump()
    photos = collection(Photo)
    result = await photos.update_one(
        {
            "_id": photo.id,
            "owner_id": {"$ne": user.id},
            "ratings.user_id": {"$ne": user.id},
            # The bound is in the filter, so parallel ratings cannot overshoot it.
            f"ratings.{MAX_RATINGS - 1}": {"$exists": False},
        },
        [{"$set": {"ratings": {"$concatArrays": ["$ratings", [rating]]}}}, *_TOTALS],
    )
    if result.modified_count != 1:
        await _refusal(photo, user)
    doc = await photos.find_one({"_id": photo.id}, {"rating_average": 1, "rating_count": 1})
    if doc is None:
        raise NotFound("No photo with this id")
    return _summary(doc)


async def _refusal(photo: Photo, user: User) -> None:
    """Raise the reason a rating was not added: no photo, own photo, rated, or full."""
    doc = await collection(Photo).find_one(
        {"_id": photo.id},
        {"owner_id": 1, "rating_count": 1, "ratings": {"$elemMatch": {"user_id": user.id}}},
    )
    if doc is None:
        raise NotFound("No photo with this id")
    if doc["owner_id"] == user.id:
        raise NotAllowed("You cannot rate your own photo")
    if doc.get("ratings"):
        raise Conflict("You have already rated this photo")
    raise Conflict(f"This photo already holds {MAX_RATINGS:,} ratings, the most it can")


async def page(photo: Photo, limit: int, offset: int) -> tuple[list[RatingOut], int]:
    """A page of the photo's ratings, in the order they were given."""
    doc = await collection(Photo).find_one(
        {"_id": photo.id}, {"ratings": {"$slice": [offset, limit]}, "rating_count": 1}
    )
    if doc is None:
        raise NotFound("No photo with this id")
    ratings = [Rating.model_validate(item) for item in doc.get("ratings", [])]
    raters = await users.by_ids(rating.user_id for rating in ratings)
    items = [
        RatingOut(
            user=Rater(username=username_of(raters.get(r.user_id))),
            stars=r.stars,
            created_at=r.created_at,
        )
        for r in ratings
    ]
    return items, int(doc.get("rating_count", 0))


async def remove(photo: Photo, rater: User) -> None:
    """Remove one user's rating; the totals follow in the same update."""
    user_id: PydanticObjectId | None = rater.id
    result = await collection(Photo).update_one(
        {"_id": photo.id, "ratings.user_id": user_id},
        [
            {
                "$set": {
                    "ratings": {
                        "$filter": {
                            "input": "$ratings",
                            "cond": {"$ne": ["$$this.user_id", user_id]},
                        }
                    }
                }
            },
            *_TOTALS,
        ],
    )
    if result.modified_count != 1:
        raise NotFound(f"{rater.username} has not rated this photo")
