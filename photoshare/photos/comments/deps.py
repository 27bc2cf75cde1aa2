"""Dependencies for comments: the caller who may delete them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from photoshare.deps import CurrentUser, refuses
from photoshare.errors import NotAllowed
from photoshare.photos.permissions import may_delete_comment
from photoshare.users.models import User


@refuses(403)
async def comment_moderator(user: CurrentUser) -> User:
    """The caller, when they may delete comments (moderators and admins)."""
    if not may_delete_comment(user):
        raise NotAllowed("Only moderators and admins can delete comments")
    return user


CommentModerator = Annotated[User, Depends(comment_moderator)]
