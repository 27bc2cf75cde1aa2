"""Path dependencies for photos: a valid photo id, and one the caller may change."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from photoshare.deps import CurrentUser
from photoshare.errors import NotAllowed
from photoshare.photos import service
from photoshare.photos.models import Photo
from photoshare.users.models import Role

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
