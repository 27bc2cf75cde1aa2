"""Path dependencies for photos: a valid photo id, and one the caller may change."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from beanie import PydanticObjectId
from fastapi import Depends, Path, Query
from fastapi.exceptions import RequestValidationError

from photoshare.deps import CurrentUser, OptionalUser, refuses
from photoshare.errors import InvalidInput, NotAllowed
from photoshare.photos import service
from photoshare.photos.models import Photo
from photoshare.photos.permissions import may_change_photo
from photoshare.photos.schemas import PhotoSearchParams
from photoshare.photos.search import MAX_TERMS, PhotoQuery, parse_bound, words
from photoshare.photos.tags.schemas import tag_name
from photoshare.text import fold
from photoshare.users import service as users
from photoshare.users.identity import account_key
from photoshare.users.models import Role, User

PhotoId = Annotated[str, Path(max_length=64, description="The photo's id.")]


async def valid_photo(photo_id: PhotoId) -> Photo:
    return await service.get(photo_id)


ValidPhoto = Annotated[Photo, Depends(valid_photo)]


@refuses(403)
async def owned_photo(user: CurrentUser, photo: ValidPhoto) -> Photo:
    """The photo, when the caller owns it or is an admin."""
    if not may_change_photo(user, photo):
        raise NotAllowed("Only the photo's owner or an admin can change it")
    return photo


OwnedPhoto = Annotated[Photo, Depends(owned_photo)]


async def search_query(
    user: OptionalUser, params: Annotated[PhotoSearchParams, Query()]
) -> PhotoQuery:
    """The search filters, with the owner rule applied."""
    owner_id = await _owner_filter(user, params.owner) if params.owner else None
    q = params.q
    # Text without a single word (".*", "!!!") is still text: it matches no photo.
    keywords = words(q) or ([fold(q).strip()] if q.strip() else [])
    if len(keywords) > MAX_TERMS:
        raise InvalidInput(f"Search for at most {MAX_TERMS} words at once")
    return PhotoQuery(
        keywords=keywords,
        tag=tag_name(params.tag) or None,
        owner_id=owner_id,
        min_rating=params.min_rating,
        date_from=_bound("date_from", params.date_from, end_of_day=False),
        date_to=_bound("date_to", params.date_to, end_of_day=True),
        sort=params.sort,
    )


async def _owner_filter(user: User | None, owner: str) -> PydanticObjectId:
    """The owner's id, when the caller may filter by that owner."""
    key = account_key(owner)
    may_choose = user is not None and (
        user.username_key == key or user.role.at_least(Role.moderator)
    )
    if not may_choose:
        raise NotAllowed("Filtering by owner is for your own photos, or for moderators")
    found = await users.find_by_username(owner)
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
