"""Path dependencies for photos: a valid photo id, and one the caller may change."""

from __future__ import annotations

from typing import Annotated

from beanie import PydanticObjectId
from fastapi import Depends, Path, Query
from fastapi.exceptions import RequestValidationError

from photoshare.auth.service import account_key
from photoshare.deps import CurrentUser, OptionalUser
from photoshare.errors import InvalidInput, NotAllowed
from photoshare.photos import service
from photoshare.photos.models import Photo
from photoshare.photos.search import MAX_TERMS, PhotoQuery, Sort, parse_bound, words
from photoshare.users.models import Role, User

PhotoId = Annotated[str, Path(max_length=64, description="The photo's id.")]


async def valid_photo(photo_id: PhotoId) -> Photo:
    return await service.get(photo_id)


ValidPhoto = Annotated[Photo, Depends(valid_photo)]


async def owned_photo(user: CurrentUser, photo: ValidPhoto) -> Photo:
    """The photo, when the caller owns it or is an admin."""
    if photo.owner_id != user.id and user.role is not Role.admin:
        raise NotAllowed("Only the photo's owner or an admin can change it")
    return photo


OwnedPhoto = Annotated[Photo, Depends(owned_photo)]


async def search_query(
    user: OptionalUser,
    q: Annotated[
        str, Query(max_length=200, description="Words that must all appear (description, tags).")
    ] = "",
    tag: Annotated[str, Query(max_length=32, description="An exact tag name.")] = "",
    owner: Annotated[
        str, Query(max_length=64, description="A username: yours, or any for moderators.")
    ] = "",
    min_rating: Annotated[float | None, Query(ge=1, le=5, description="Lowest average.")] = None,
    date_from: Annotated[str, Query(max_length=40, description="ISO date or datetime.")] = "",
    date_to: Annotated[str, Query(max_length=40, description="ISO date or datetime.")] = "",
    sort: Annotated[Sort, Query(description="Order of the results.")] = "newest",
) -> PhotoQuery:
    """The search filters, with the owner rule applied."""
    owner_id = None
    if owner:
        key = account_key(owner)
        may_choose = user is not None and (
            user.username_key == key or user.role.at_least(Role.moderator)
        )
        if not may_choose:
            raise NotAllowed("Filtering by owner is for your own photos, or for moderators")
        found = await User.find_one(User.username_key == key)
        # An unknown owner simply has no photos.
        owner_id = found.id if found else PydanticObjectId("0" * 24)
    # Text without a single word (".*", "!!!") is still text: it matches no photo.
    keywords = words(q) or ([q.strip()] if q.strip() else [])
    if len(keywords) > MAX_TERMS:
        raise InvalidInput(f"Search for at most {MAX_TERMS} words at once")
    bounds = {}
    for name, text in (("date_from", date_from), ("date_to", date_to)):
        if text:
            try:
                bounds[name] = parse_bound(text)
            except ValueError as exc:
                error = {
                    "type": "value_error",
                    "loc": ("query", name),
                    "msg": str(exc),
                    "input": text,
                }
                raise RequestValidationError([error]) from None
    return PhotoQuery(
        keywords=keywords,
        tag=tag.strip().lower() or None,
        owner_id=owner_id,
        min_rating=min_rating,
        date_from=bounds.get("date_from"),
        date_to=bounds.get("date_to"),
        sort=sort,
    )


SearchQuery = Annotated[PhotoQuery, Depends(search_query)]
