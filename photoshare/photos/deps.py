"""Path dependencies for photos: a valid photo id, and one the caller may change."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from beanie import PydanticObjectId
from fastapi import Depends, Path, Query
from fastapi.exceptions import RequestValidationError

from photoshare.auth.service import account_key
from photoshare.deps import CurrentUser, OptionalUser
from photoshare.errors import InvalidInput, NotAllowed
from photoshare.photos import service
from photoshare.photos.models import Photo
from photoshare.photos.permissions import may_change_photo
from photoshare.photos.search import (
    DATE_HELP,
    MAX_TERMS,
    PhotoQuery,
    Sort,
    parse_bound,
    words,
)
from photoshare.photos.tags.schemas import tag_name
from photoshare.text import SINGLE_LINE, fold
from photoshare.users.models import Role, User

# A day or a moment: the schema says which strings are dates (parse_bound reads them).
DateQuery = Query(
    max_length=40,
    description=DATE_HELP,
    json_schema_extra={
        "anyOf": [
            {"type": "string", "format": "date"},
            {"type": "string", "format": "date-time"},
            {
                "type": "string",
                "pattern": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$",
                "description": "A datetime without an offset is UTC.",
            },
            {"type": "string", "maxLength": 0, "description": "Empty: no bound."},
        ]
    },
)

PhotoId = Annotated[str, Path(max_length=64, description="The photo's id.")]


async def valid_photo(photo_id: PhotoId) -> Photo:
    return await service.get(photo_id)


ValidPhoto = Annotated[Photo, Depends(valid_photo)]


async def owned_photo(user: CurrentUser, photo: ValidPhoto) -> Photo:
    """The photo, when the caller owns it or is an admin."""
    if not may_change_photo(user, photo):
        raise NotAllowed("Only the photo's owner or an admin can change it")
    return photo


OwnedPhoto = Annotated[Photo, Depends(owned_photo)]


async def search_query(
    user: OptionalUser,
    q: Annotated[
        str,
        Query(max_length=200, description="Words that must all appear (description, tags)."),
        SINGLE_LINE,
    ] = "",
    tag: Annotated[
        str, Query(max_length=32, description="An exact tag name ('#cat' is 'cat')."), SINGLE_LINE
    ] = "",
    owner: Annotated[
        str,
        Query(max_length=64, description="A username: yours, or any for moderators."),
        SINGLE_LINE,
    ] = "",
    min_rating: Annotated[float | None, Query(ge=1, le=5, description="Lowest average.")] = None,
    date_from: Annotated[str | None, DateQuery, SINGLE_LINE] = None,
    date_to: Annotated[str | None, DateQuery, SINGLE_LINE] = None,
    sort: Annotated[Sort, Query(description="Order of the results.")] = "newest",
) -> PhotoQuery:
    """The search filters, with the owner rule applied."""
    owner_id = await _owner_filter(user, owner) if owner else None
    # Text without a single word (".*", "!!!") is still text: it matches no photo.
    keywords = words(q) or ([fold(q).strip()] if q.strip() else [])
    if len(keywords) > MAX_TERMS:
        raise InvalidInput(f"Search for at most {MAX_TERMS} words at once")
    return PhotoQuery(
        keywords=keywords,
        tag=tag_name(tag) or None,
        owner_id=owner_id,
        min_rating=min_rating,
        date_from=_bound("date_from", date_from, end_of_day=False),
        date_to=_bound("date_to", date_to, end_of_day=True),
        sort=sort,
    )


async def _owner_filter(user: User | None, owner: str) -> PydanticObjectId:
    """The owner's id, when the caller may filter by that owner."""
    key = account_key(owner)
    may_choose = user is not None and (
        user.username_key == key or user.role.at_least(Role.moderator)
    )
    if not may_choose:
        raise NotAllowed("Filtering by owner is for your own photos, or for moderators")
    found = await User.find_one(User.username_key == key)
    # An unknown owner simply has no photos.
    return found.id if found and found.id else PydanticObjectId("0" * 24)


def _bound(name: str, text: str | None, *, end_of_day: bool) -> datetime | None:
    """A date_from/date_to value as a UTC moment, or a 422 naming the parameter."""
    if not text:
        return None
    try:
        return parse_bound(text, end_of_day=end_of_day)
    except ValueError as exc:
        error = {"type": "value_error", "loc": ("query", name), "msg": str(exc), "input": text}
        raise RequestValidationError([error]) from None


SearchQuery = Annotated[PhotoQuery, Depends(search_query)]
