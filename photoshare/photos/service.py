"""Photos: upload, read, edit, delete, list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from beanie import PydanticObjectId
from fastapi import UploadFile
from pymongo import ReturnDocument

from photoshare.albums import membership as albums
from photoshare.clock import utcnow
from photoshare.db import collection, count, find_page
from photoshare.errors import Conflict, NotFound
from photoshare.links import service as links
from photoshare.media import service as media
from photoshare.media.derivatives import Derivatives
from photoshare.media.sizes import size_keys
from photoshare.photos import stats
from photoshare.photos.camera import camera_fields, shown_taken_at
from photoshare.photos.models import Dimensions, Photo
from photoshare.photos.permissions import may_change_photo
from photoshare.photos.ratings.schemas import RatingSummary
from photoshare.photos.schemas import DisplaySizeOut, PhotoOut, PhotoSizes, PhotoUpdate
from photoshare.photos.search import PhotoQuery, search_terms
from photoshare.photos.tags import service as tags
from photoshare.photos.tags.schemas import tag_name
from photoshare.runtime import Runtime
from photoshare.schemas import Page, Pagination
from photoshare.text import NON_ASCII
from photoshare.users import service as users
from photoshare.users.models import User
from photoshare.users.schemas import UserRef

# Pages and single photos are read without their embedded comments and ratings, which
# can grow long; every change to a photo is an atomic update, never a save of this copy.
WITHOUT_THREADS = {"comments": 0, "ratings": 0}
# An edit whose tags change under it is recomputed; this many tries, then 409.
_EDIT_ATTEMPTS = 5


async def get(photo_id: str) -> Photo:
    """The photo with this id; a malformed id is simply not found."""
    doc = None
    if PydanticObjectId.is_valid(photo_id):
        doc = await collection(Photo).find_one({"_id": PydanticObjectId(photo_id)}, WITHOUT_THREADS)
    if doc is None:
        raise NotFound("No photo with this id")
    photo: Photo = Photo.model_validate(doc)
    return photo


async def create(
    runtime: Runtime, owner: User, upload: UploadFile, description: str, tag_names: list[str]
) -> Photo:
    """Store an uploaded image and its Photo; neither exists without the other."""
    assert owner.id is not None
    stored = await media.store_upload(runtime, upload, "photos", display_sizes=True)
    image = stored.image
    made = image.derivatives
    now = utcnow()
    photo = Photo(
        owner_id=owner.id,
        description=description,
        tags=tag_names,
        search_terms=search_terms(description, tag_names),
        storage_key=stored.key,
        width=image.width,
        height=image.height,
        format=image.format.name,
        bytes=image.bytes,
        content_hash=image.content_hash,
        sizes=sizes_of(made) if made else None,
        placeholder=made.placeholder if made else None,
        **camera_fields(image.camera),
        created_at=now,
        updated_at=now,
    )
    try:
        await photo.insert()
    except BaseException:
        await media.discard(runtime, *media.stored_keys(runtime, stored.key))
        raise
    await tags.count_added(tag_names)
    return photo


async def update(photo: Photo, data: PhotoUpdate) -> Photo:
    """Replace the description and, when given, the tags."""
    for _ in range(_EDIT_ATTEMPTS):
        edited = await _edit(photo, data)
        if edited is not None:
            return edited
    raise Conflict("The photo's tags kept changing during this edit; send it again")


async def _edit(photo: Photo, data: PhotoUpdate) -> Photo | None:
    """One guarded edit; None when the tags it was computed from changed meanwhile.

    The old tags come from the same atomic update that replaces them, so parallel edits
    and deletes count every tag change exactly once.
    """
    guard: dict[str, Any] = {"_id": photo.id}
    new_tags = data.tags
    if new_tags is None:
        # The terms are computed from the tags kept, which must still be the stored ones.
        latest = await collection(Photo).find_one({"_id": photo.id}, {"tags": 1})
        if latest is None:
            raise NotFound("No photo with this id")
        new_tags = guard["tags"] = latest["tags"]
    changes: dict[str, Any] = {
        "description": data.description,
        "tags": new_tags,
        "search_terms": search_terms(data.description, new_tags),
        "updated_at": utcnow(),
    }
    before = await collection(Photo).find_one_and_update(
        guard,
        {"$set": changes},
        projection={"tags": 1},
        return_document=ReturnDocument.BEFORE,
    )
    if before is None:
        if data.tags is not None:
            raise NotFound("No photo with this id")
        return None
    old_tags: list[str] = before["tags"]
    await tags.count_added([t for t in new_tags if t not in old_tags])
    await tags.count_removed([t for t in old_tags if t not in new_tags])
    edited: Photo = photo.model_copy(update=changes)
    return edited


async def refold_text() -> int:
    """Re-fold tags and search terms stored by the older rule; returns how many photos changed.

    Only photos with a non-ASCII term can differ (for ASCII both rules agree).
    """
    photos = collection(Photo)
    changed = 0
    cursor = photos.find(
        {"search_terms": {"$regex": NON_ASCII}}, {"description": 1, "tags": 1, "search_terms": 1}
    )
    async for doc in cursor:
        new_tags = list(dict.fromkeys(name for name in map(tag_name, doc["tags"]) if name))
        terms = search_terms(doc["description"], new_tags)
        if new_tags == doc["tags"] and terms == doc["search_terms"]:
            continue
        # Guarded: a photo edited meanwhile, or refolded by another worker, is left alone.
        result = await photos.update_one(
            {"_id": doc["_id"], "tags": doc["tags"], "search_terms": doc["search_terms"]},
            {"$set": {"tags": new_tags, "search_terms": terms}},
        )
        if result.modified_count == 1:
            await tags.count_removed([t for t in doc["tags"] if t not in new_tags])
            await tags.count_added([t for t in new_tags if t not in doc["tags"]])
            changed += 1
    return changed


async def delete(runtime: Runtime, photo: Photo) -> None:
    """Remove the photo from its albums, with its tag counts, comments' counts and files."""
    # What was deleted, not what was read earlier, is uncounted.
    deleted = await collection(Photo).find_one_and_delete(
        {"_id": photo.id}, projection={"tags": 1, "comments.author_id": 1}
    )
    if deleted is None:
        raise NotFound("No photo with this id")
    assert photo.id is not None
    # Right after the photo, so no album keeps it; album reads also skip ids whose photo
    # is gone, in case the process stopped between the two (photoshare.albums.service).
    await albums.remove_everywhere(photo.id)
    await tags.count_removed(deleted.get("tags", []))
    written = stats.comments_by_author(deleted.get("comments", []))
    await users.count_comments_written({author: -n for author, n in written.items()})
    await links.delete_for_photo(runtime, photo)
    await media.discard(runtime, *media.stored_keys(runtime, photo.storage_key))


def sizes_of(made: Derivatives) -> dict[str, Dimensions]:
    """What a Photo keeps of its display sizes: their dimensions, by name."""
    return {m.size.name: Dimensions(width=m.width, height=m.height) for m in made.sizes}


async def stored_images() -> tuple[set[str], set[str]]:
    """The storage keys (display sizes too) and the content hashes of every photo."""
    keys: set[str] = set()
    hashes: set[str] = set()
    projection = {"storage_key": 1, "content_hash": 1, "sizes": 1, "_id": 0}
    async for doc in collection(Photo).find({}, projection):
        keys.add(doc["storage_key"])
        if doc.get("sizes"):
            keys.update(size_keys(doc["storage_key"]))
        hashes.add(doc["content_hash"])
    return keys, hashes


async def owners_of(photos: Iterable[Photo]) -> dict[PydanticObjectId, User]:
    return await users.by_ids(photo.owner_id for photo in photos)


def to_out(runtime: Runtime, photo: Photo, owner: User | None, viewer: User | None) -> PhotoOut:
    """The photo as the API shows it to ``viewer`` (None: anonymous)."""
    may_change = may_change_photo(viewer, photo)
    return PhotoOut(
        id=str(photo.id),
        url=runtime.storage.url(photo.storage_key),
        sizes=_sizes_out(runtime, photo),
        placeholder=photo.placeholder,
        owner=UserRef.of(owner),
        description=photo.description,
        tags=photo.tags,
        width=photo.width,
        height=photo.height,
        format=photo.format,
        bytes=photo.bytes,
        created_at=photo.created_at,
        updated_at=photo.updated_at,
        rating=RatingSummary(average=round(photo.rating_average, 2), count=photo.rating_count),
        comments_count=photo.comments_count,
        taken_at=shown_taken_at(photo),
        camera=photo.camera,
        can_edit=may_change,
        can_delete=may_change,
    )


def _sizes_out(runtime: Runtime, photo: Photo) -> PhotoSizes | None:
    if not photo.sizes:
        return None
    dimensions = {name: (d.width, d.height) for name, d in photo.sizes.items()}
    links = media.size_links(runtime, photo.storage_key, dimensions)
    return PhotoSizes(**{name: DisplaySizeOut(**vars(link)) for name, link in links.items()})


async def present(runtime: Runtime, photo: Photo, viewer: User | None) -> PhotoOut:
    owners = await owners_of([photo])
    return to_out(runtime, photo, owners.get(photo.owner_id), viewer)


async def present_page(
    runtime: Runtime, photos: Sequence[Photo], total: int, paging: Pagination, viewer: User | None
) -> Page[PhotoOut]:
    owners = await owners_of(photos)
    items = [to_out(runtime, photo, owners.get(photo.owner_id), viewer) for photo in photos]
    return Page[PhotoOut].of(items, total, paging)


async def search(query: PhotoQuery, limit: int, offset: int) -> tuple[list[Photo], int]:
    """A page of photos matching ``query``, without their embedded comments and ratings."""
    docs, total = await find_page(
        Photo, query.filter(), query.sort_keys(), offset, limit, WITHOUT_THREADS
    )
    return [Photo.model_validate(doc) for doc in docs], total


async def by_owner(owner: User, limit: int, offset: int) -> tuple[list[Photo], int]:
    """A page of one user's photos, newest first (a profile's gallery)."""
    assert owner.id is not None
    return await search(PhotoQuery(keywords=[], owner_id=owner.id), limit, offset)


async def count_existing(ids: Iterable[PydanticObjectId]) -> int:
    """How many of these photos exist."""
    wanted = list(ids)
    return await count(Photo, {"_id": {"$in": wanted}}) if wanted else 0


async def existing_ids(ids: Iterable[PydanticObjectId]) -> set[PydanticObjectId]:
    """Which of these photos exist (one query, ids only)."""
    wanted = list(ids)
    if not wanted:
        return set()
    cursor = collection(Photo).find({"_id": {"$in": wanted}}, {"_id": 1})
    return {doc["_id"] async for doc in cursor}


async def by_ids(ids: Iterable[PydanticObjectId]) -> dict[PydanticObjectId, Photo]:
    """The photos with these ids that exist, without their comments and ratings."""
    wanted = list(ids)
    if not wanted:
        return {}
    cursor = collection(Photo).find({"_id": {"$in": wanted}}, WITHOUT_THREADS)
    photos = [Photo.model_validate(doc) async for doc in cursor]
    return {photo.id: photo for photo in photos if photo.id is not None}
