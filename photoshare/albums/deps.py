"""Path dependencies for albums: one the caller may see, and one the caller may change."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from photoshare.albums import service
from photoshare.albums.membership import ALBUM_NOT_FOUND
from photoshare.albums.models import Album
from photoshare.albums.permissions import may_change_album, may_see_album
from photoshare.deps import CurrentUser, OptionalUser, refuses
from photoshare.errors import NotAllowed, NotFound

AlbumId = Annotated[str, Path(max_length=64, description="The album's id.")]


async def visible_album(album_id: AlbumId, viewer: OptionalUser) -> Album:
    """The album, when the caller may see it; a private one of someone else's is 404."""
    album = await service.get(album_id)
    if not may_see_album(viewer, album):
        raise NotFound(ALBUM_NOT_FOUND)
    return album


VisibleAlbum = Annotated[Album, Depends(visible_album)]


@refuses(403)
async def owned_album(user: CurrentUser, album_id: AlbumId) -> Album:
    """The album, when the caller owns it or is an admin (a private one stays 404 to others)."""
    album = await service.get(album_id)
    if not may_see_album(user, album):
        raise NotFound(ALBUM_NOT_FOUND)
    if not may_change_album(user, album):
        raise NotAllowed("Only the album's owner or an admin can change it")
    return album


OwnedAlbum = Annotated[Album, Depends(owned_album)]
