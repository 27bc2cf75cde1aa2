"""Rating routes, under their photo."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from photoshare.deps import CurrentUser, ModeratorUser, Paging
from photoshare.openapi import errors
from photoshare.photos.deps import ValidPhoto
from photoshare.photos.ratings import service
from photoshare.photos.ratings.schemas import RatingIn, RatingOut, RatingSummary
from photoshare.schemas import Page
from photoshare.users import service as users

router = APIRouter(prefix="/api/v1/photos/{photo_id}/ratings", tags=["ratings"])


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Rate a photo", responses=errors(403, 409)
)
async def rate_photo(user: CurrentUser, photo: ValidPhoto, data: RatingIn) -> RatingSummary:
    """Give a photo 1 to 5 stars, once; not your own."""
    return await service.rate(photo, user, data.stars)


@router.get("", summary="A photo's ratings")
async def list_ratings(_: ModeratorUser, photo: ValidPhoto, paging: Paging) -> Page[RatingOut]:
    """List who rated the photo and how (moderators and admins)."""
    items, total = await service.page(photo, paging.limit, paging.offset)
    return Page[RatingOut].of(items, total, paging)


@router.delete(
    "/{username}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a user's rating"
)
async def delete_rating(
    _: ModeratorUser, photo: ValidPhoto, username: Annotated[str, Path(max_length=64)]
) -> Response:
    """Remove one user's rating; the average and count follow (moderators and admins)."""
    await service.remove(photo, await users.get_by_username(username))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
