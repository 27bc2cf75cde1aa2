"""Comment routes, under their photo."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from photoshare.deps import CurrentUser, OptionalUser, Paging, RuntimeDep
from photoshare.limits import COMMENTS, spend
from photoshare.openapi import errors
from photoshare.photos.comments import service
from photoshare.photos.comments.deps import CommentModerator
from photoshare.photos.comments.schemas import CommentIn, CommentOut
from photoshare.photos.deps import ValidPhoto
from photoshare.schemas import Page

router = APIRouter(prefix="/api/v1/photos/{photo_id}/comments", tags=["comments"])

CommentId = Annotated[str, Path(max_length=64, description="The comment's id.")]


@router.get("", summary="A photo's comments")
async def list_comments(
    viewer: OptionalUser, photo: ValidPhoto, paging: Paging
) -> Page[CommentOut]:
    """List the photo's comments, oldest first."""
    items, total = await service.page(photo, viewer, paging.limit, paging.offset)
    return Page[CommentOut].of(items, total, paging)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Comment on a photo",
    responses=errors(409, 429),
)
async def add_comment(
    user: CurrentUser, photo: ValidPhoto, data: CommentIn, runtime: RuntimeDep
) -> CommentOut:
    """Add a comment to any photo, your own included; a photo holds at most 1,000.

    Each account may post PHOTOSHARE_RATE_LIMIT_COMMENTS_PER_MINUTE comments a minute (429).
    """
    async with spend(runtime, COMMENTS, user):
        return await service.add(photo, user, data.text)


@router.put("/{comment_id}", summary="Edit your comment", responses=errors(403))
async def edit_comment(
    user: CurrentUser, photo: ValidPhoto, comment_id: CommentId, data: CommentIn
) -> CommentOut:
    """Change the text of a comment you wrote."""
    return await service.edit(photo, comment_id, user, data.text)


@router.delete(
    "/{comment_id}",
    summary="Delete a comment",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_comment(_: CommentModerator, photo: ValidPhoto, comment_id: CommentId) -> Response:
    """Delete a comment (moderators and admins)."""
    await service.delete(photo, comment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
