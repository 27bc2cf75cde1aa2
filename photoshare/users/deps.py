"""Path dependencies for users: an account named in the path."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from photoshare.users import service
from photoshare.users.models import User


async def valid_username(username: Annotated[str, Path(max_length=64)]) -> User:
    """The account with this username (compared folded), or 404."""
    return await service.get_by_username(username)


TargetUser = Annotated[User, Depends(valid_username)]
