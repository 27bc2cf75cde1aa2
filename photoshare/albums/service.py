"""Albums: create, read, edit, delete, list, and the photos they hold.

The photo list itself changes only through ``membership`` (one atomic update each).
Deleting a photo takes it out of every album in the same service operation
(``photos.service.delete``), right after the photo itself. Should the process stop between
the two, an album would keep the id of a photo that is gone: so every read here keeps only
ids whose photo exists (a count by ``_id``, and the ids themselves only when some are gone),
counts and picks the cover from those, and drops the missing ids (``membership.forget``).
A reader never sees a photo that no longer exists, and the album heals on first read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from beanie import PydanticObjectId

from photoshare.albums import membership
from photoshare.albums.models import LISTED_FOR_EVERYONE, Album, Visibility, listed_for
from photoshare.albums.permissions import may_change_album, may_list_all_of
from photoshare.albums.schemas import AlbumCreate, AlbumOut, AlbumUpdate
from photoshare.clock import utcnow
from photoshare.db import collection, find_page
from photoshare.errors import InvalidInput, NotAllowed, NotFound
from photoshare.links import service as links
from photoshare.photos import service as photos
from photoshare.photos.models import Photo
from photoshare.photos.schemas import PhotoOut
from photoshare.runtime import Runtime
from photoshare.schemas import Page, Pagination
from photoshare.users import service as users
from photoshare.users.models import Role, User
from photoshare.users.schemas import UserRef

NEWEST = [("created_at", -1), ("_id", -1)]


def _object_id(value: str, missing: str) -> PydanticObjectId:
    if not PydanticObjectId.is_valid(value):
        raise NotFound(missing)
    return PydanticObjectId(value)


async def get(album_id: str) -> Album:
    """The album with this id; a malformed id is simply not found."""
    album = await Album.get(_object_id(album_id, membership.ALBUM_NOT_FOUND))
    if album is None:
        raise NotFound(membership.ALBUM_NOT_FOUND)
    return album


async def create(owner: User, data: AlbumCreate) -> Album:
    """A new, empty album of ``owner``."""
    assert owner.id is not None
    now = utcnow()
    album = Album(
        title=data.title,
        description=data.description,
        visibility=data.visibility,
        owner_id=owner.id,
        listed_for=listed_for(data.visibility, owner.id),
        created_at=now,
        updated_at=now,
    )
    await album.insert()
    return album


async def update(album: Album, data: AlbumUpdate) -> Album:
    """Change the fields sent; a cover must be a photo in the album (422 otherwise)."""
    changes: dict[str, Any] = data.model_dump(
        include={"title", "description", "visibility"}, exclude_unset=True
    )
    if "visibility" in changes:
        changes["listed_for"] = listed_for(Visibility(changes["visibility"]), album.owner_id)
    guard: dict[str, Any] = {"_id": album.id}
    if "cover_photo_id" in data.model_fields_set:
        cover = _cover_id(data.cover_photo_id)
        changes["cover_photo_id"] = cover
        if cover is not None:
            guard["photo_ids"] = cover
    changes["updated_at"] = utcnow()
    result = await collection(Album).update_one(guard, {"$set": changes})
    if result.matched_count != 1:
        assert album.id is not None
        await get(str(album.id))  # gone meanwhile: 404
        raise InvalidInput("cover_photo_id must be a photo in this album")
    return await get(str(album.id))


def _cover_id(value: str | None) -> PydanticObjectId | None:
    if value is None:
        return None
    if not PydanticObjectId.is_valid(value):
        raise InvalidInput("cover_photo_id must be a photo in this album")
    return PydanticObjectId(value)


async def delete(album: Album) -> None:
    """Delete the album and its share links; its photos stay."""
    assert album.id is not None
    result = await collection(Album).delete_one({"_id": album.id})
    if result.deleted_count != 1:
        raise NotFound(membership.ALBUM_NOT_FOUND)
    # Its share links go with it (a link left by a crash here answers 404 all the same).
    await links.delete_for_album(album.id)


async def add_photo(album: Album, photo_id: str, user: User) -> Album:
    """Append one of the album owner's photos (admins: anyone's)."""
    assert album.id is not None
    photo = await photos.get(photo_id)
    assert photo.id is not None
    if photo.owner_id != album.owner_id and user.role is not Role.admin:
        raise NotAllowed("Only the album owner's own photos can be added to it")
    await membership.add(album.id, photo.id)
    if not await photos.existing_ids([photo.id]):
        # Deleted while it was being added, after its delete left every album.
        await membership.remove_everywhere(photo.id)
        raise NotFound("No photo with this id")
    return await get(str(album.id))


async def remove_photo(album: Album, photo_id: str) -> None:
    """Take a photo out of the album; the photo itself stays."""
    assert album.id is not None
    await membership.remove(album.id, _object_id(photo_id, "This photo is not in the album"))


async def reorder(album: Album, photo_ids: Sequence[str]) -> Album:
    """Put the album's photos in this order: every one of them, each once (422 otherwise)."""
    assert album.id is not None
    if not all(PydanticObjectId.is_valid(value) for value in photo_ids):
        raise InvalidInput("photo_ids holds an id that is not a photo of this album")
    await membership.reorder(album.id, [PydanticObjectId(value) for value in photo_ids])
    return await get(str(album.id))


async def _visible_ids(albums: Sequence[Album]) -> dict[PydanticObjectId, list[PydanticObjectId]]:
    """Each album's photo ids whose photo exists, in album order; missing ones forgotten.

    Counting is cheap and almost always finds every photo; only then are the ids read.
    """
    ids = {pid for album in albums for pid in album.photo_ids}
    if await photos.count_existing(ids) == len(ids):
        return {album.id: list(album.photo_ids) for album in albums if album.id is not None}
    existing = await photos.existing_ids(ids)
    visible: dict[PydanticObjectId, list[PydanticObjectId]] = {}
    for album in albums:
        assert album.id is not None
        kept = [pid for pid in album.photo_ids if pid in existing]
        if len(kept) != len(album.photo_ids):
            await membership.forget(album.id, set(album.photo_ids) - existing)
        visible[album.id] = kept
    return visible


def cover_of(album: Album, visible: Sequence[PydanticObjectId]) -> PydanticObjectId | None:
    """The chosen cover while it is in the album, else the first photo, else none."""
    if album.cover_photo_id is not None and album.cover_photo_id in visible:
        return album.cover_photo_id
    return visible[0] if visible else None


async def present_page(
    runtime: Runtime, albums: Sequence[Album], total: int, paging: Pagination, viewer: User | None
) -> Page[AlbumOut]:
    """The albums as the API shows them to ``viewer`` (None: anonymous)."""
    visible = await _visible_ids(albums)
    covers_ids = {album.id: cover_of(album, visible[album.id]) for album in albums if album.id}
    covers = await photos.by_ids(pid for pid in covers_ids.values() if pid is not None)
    owners = await users.by_ids(
        [*(album.owner_id for album in albums), *(p.owner_id for p in covers.values())]
    )
    items = []
    for album in albums:
        assert album.id is not None
        cover_id = covers_ids[album.id]
        cover = covers.get(cover_id) if cover_id is not None else None
        cover_out = (
            photos.to_out(runtime, cover, owners.get(cover.owner_id), viewer) if cover else None
        )
        owner = owners.get(album.owner_id)
        items.append(_to_out(album, owner, viewer, cover_out, len(visible[album.id])))
    return Page[AlbumOut].of(items, total, paging)


async def present(runtime: Runtime, album: Album, viewer: User | None) -> AlbumOut:
    """One album as the API shows it to ``viewer``."""
    page = await present_page(runtime, [album], 1, Pagination(limit=1, offset=0), viewer)
    return page.items[0]


def _to_out(
    album: Album,
    owner: User | None,
    viewer: User | None,
    cover: PhotoOut | None,
    photos_count: int,
) -> AlbumOut:
    may_change = may_change_album(viewer, album)
    return AlbumOut(
        id=str(album.id),
        title=album.title,
        description=album.description,
        owner=UserRef.of(owner),
        visibility=album.visibility,
        cover=cover,
        photos_count=photos_count,
        created_at=album.created_at,
        updated_at=album.updated_at,
        can_edit=may_change,
        can_delete=may_change,
    )


async def photos_of(album: Album, limit: int, offset: int) -> tuple[list[Photo], int]:
    """A slice of the album's photos in album order, and how many photos it holds."""
    assert album.id is not None
    visible = (await _visible_ids([album]))[album.id]
    wanted = visible[offset : offset + limit]
    found = await photos.by_ids(wanted)
    # A photo deleted since the ids were checked is left out of this slice.
    return [found[pid] for pid in wanted if pid in found], len(visible)


async def photos_page(
    runtime: Runtime, album: Album, viewer: User | None, paging: Pagination
) -> Page[PhotoOut]:
    """A page of the album's photos, in album order, as the API shows them to ``viewer``."""
    page, total = await photos_of(album, paging.limit, paging.offset)
    return await photos.present_page(runtime, page, total, paging, viewer)


async def search(
    viewer: User | None, owner_name: str, limit: int, offset: int
) -> tuple[list[Album], int]:
    """A page of the albums ``viewer`` may see, newest first, of one owner when named."""
    query = await _list_filter(viewer, owner_name)
    if query is None:
        return [], 0
    docs, total = await find_page(Album, query, NEWEST, offset, limit)
    return [Album.model_validate(doc) for doc in docs], total


async def _list_filter(viewer: User | None, owner_name: str) -> dict[str, Any] | None:
    """Others' public albums, all of one's own, all for admins; None: nothing to list."""
    if owner_name:
        owner = await users.find_by_username(owner_name)
        if owner is None:
            return None  # an unknown owner simply has no albums
        if may_list_all_of(viewer, owner):
            return {"owner_id": owner.id}
        return {"owner_id": owner.id, "visibility": Visibility.public.value}
    if viewer is not None and viewer.role is Role.admin:
        return {}
    audiences = [LISTED_FOR_EVERYONE]
    if viewer is not None and viewer.id is not None:
        audiences.append(str(viewer.id))
    return {"listed_for": {"$in": audiences}}
