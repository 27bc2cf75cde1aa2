"""Album routes: albums, and the photos they hold in order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from photoshare.albums import service
from photoshare.albums.deps import OwnedAlbum, VisibleAlbum
from photoshare.albums.schemas import (
    AlbumCreate,
    AlbumOrder,
    AlbumOut,
    AlbumPhotoAdd,
    AlbumUpdate,
    OwnerFilter,
)
from photoshare.deps import CurrentUser, OptionalUser, Paging, RuntimeDep
from photoshare.openapi import errors
from photoshare.photos.schemas import PhotoOut
from photoshare.schemas import Page

router = APIRouter(prefix="/api/v1/albums", tags=["albums"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an album")
async def create_album(user: CurrentUser, data: AlbumCreate, runtime: RuntimeDep) -> AlbumOut:
    """Create an empty album; public unless another visibility is asked for."""
    return await service.present(runtime, await service.create(user, data), user)


@router.get("", summary="List albums")
async def list_albums(
    runtime: RuntimeDep,
    viewer: OptionalUser,
    paging: Paging,
    owner: OwnerFilter = "",
) -> Page[AlbumOut]:
    """List the albums you may see, newest first: others' public ones, all of yours."""
    albums, total = await service.search(viewer, owner, paging.limit, paging.offset)
    return await service.present_page(runtime, albums, total, paging, viewer)


@router.get("/{album_id}", summary="Get an album")
async def get_album(album: VisibleAlbum, runtime: RuntimeDep, viewer: OptionalUser) -> AlbumOut:
    """Return one album; a private album is 404 to anyone but its owner and admins."""
    return await service.present(runtime, album, viewer)


@router.patch("/{album_id}", summary="Edit an album", responses=errors(422))
async def update_album(
    album: OwnedAlbum, data: AlbumUpdate, user: CurrentUser, runtime: RuntimeDep
) -> AlbumOut:
    """Change the title, description, visibility or cover (owner or admin)."""
    return await service.present(runtime, await service.update(album, data), user)


@router.delete("/{album_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete an album")
async def delete_album(album: OwnedAlbum) -> Response:
    """Delete the album; its photos stay (owner or admin)."""
    await service.delete(album)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{album_id}/photos", summary="An album's photos")
async def list_album_photos(
    album: VisibleAlbum, runtime: RuntimeDep, viewer: OptionalUser, paging: Paging
) -> Page[PhotoOut]:
    """List the album's photos in album order."""
    return await service.photos_page(runtime, album, viewer, paging)


@router.post("/{album_id}/photos", summary="Add a photo to an album", responses=errors(409))
async def add_album_photo(
    album: OwnedAlbum, data: AlbumPhotoAdd, user: CurrentUser, runtime: RuntimeDep
) -> AlbumOut:
    """Append one of the album owner's photos; once per album, at most 1,000 (409)."""
    return await service.present(runtime, await service.add_photo(album, data.photo_id, user), user)


@router.put("/{album_id}/photos", summary="Reorder an album's photos", responses=errors(409, 422))
async def reorder_album_photos(
    album: OwnedAlbum, data: AlbumOrder, user: CurrentUser, runtime: RuntimeDep
) -> AlbumOut:
    """Put the album's photos in a new order: the same photos, each once (else 422)."""
    return await service.present(runtime, await service.reorder(album, data.photo_ids), user)


@router.delete(
    "/{album_id}/photos/{photo_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a photo from an album",
)
async def remove_album_photo(
    album: OwnedAlbum, photo_id: Annotated[str, Path(max_length=64)]
) -> Response:
    """Take a photo out of the album; the photo itself stays (owner or admin)."""
    await service.remove_photo(album, photo_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
