"""Which photos an album holds, in which order: each change is one atomic update.

Every guard sits in the update's filter (the photo not yet in the album, the count below
the bound; on reorder, the version of the list the new order was checked against: every
change of the list raises ``photos_version``), so parallel requests cannot slip past one
another.
When the filter does not match, the album is read again to say why. This module knows
only the albums collection: ``photos.service`` calls :func:`remove_everywhere` when it
deletes a photo, without a cycle of imports.
"""

from __future__ import annotations

from collections.abc import Collection as Ids

from beanie import PydanticObjectId

from photoshare.albums.models import MAX_ALBUM_PHOTOS, Album
from photoshare.clock import utcnow
from photoshare.db import collection
from photoshare.errors import Conflict, InvalidInput, NotFound

ALBUM_NOT_FOUND = "No album with this id"
_NEW_VERSION = {"photos_version": 1}
# A reorder whose album keeps changing under it is checked again; this many tries, then 409.
_REORDER_ATTEMPTS = 5


async def _exists(album_id: PydanticObjectId) -> bool:
    return await collection(Album).find_one({"_id": album_id}, {"_id": 1}) is not None


async def add(album_id: PydanticObjectId, photo_id: PydanticObjectId) -> None:
    """Append a photo: once per album, and only while the album holds fewer than the bound."""
    result = await collection(Album).update_one(
        {
            "_id": album_id,
            "photo_ids": {"$ne": photo_id},
            # The last allowed place is taken: a full album cannot match.
            f"photo_ids.{MAX_ALBUM_PHOTOS - 1}": {"$exists": False},
        },
        {"$push": {"photo_ids": photo_id}, "$set": {"updated_at": utcnow()}, "$inc": _NEW_VERSION},
    )
    if result.matched_count == 1:
        return
    if not await _exists(album_id):
        raise NotFound(ALBUM_NOT_FOUND)
    holding = await collection(Album).find_one({"_id": album_id, "photo_ids": photo_id}, {"_id": 1})
    if holding is not None:
        raise Conflict("This photo is already in the album")
    raise Conflict(f"This album already holds {MAX_ALBUM_PHOTOS:,} photos, the most it can")


async def remove(album_id: PydanticObjectId, photo_id: PydanticObjectId) -> None:
    """Take a photo out of the album; a cover it was falls back to the first photo."""
    result = await collection(Album).update_one(
        {"_id": album_id, "photo_ids": photo_id},
        {"$pull": {"photo_ids": photo_id}, "$set": {"updated_at": utcnow()}, "$inc": _NEW_VERSION},
    )
    if result.matched_count != 1:
        if not await _exists(album_id):
            raise NotFound(ALBUM_NOT_FOUND)
        raise NotFound("This photo is not in the album")
    # A cover counts only while its photo is in the album (service.cover_of), so the
    # fallback holds already; forgetting the choice keeps it from coming back with the photo.
    await collection(Album).update_one(
        {"_id": album_id, "cover_photo_id": photo_id, "photo_ids": {"$ne": photo_id}},
        {"$set": {"cover_photo_id": None}},
    )


async def reorder(album_id: PydanticObjectId, photo_ids: list[PydanticObjectId]) -> None:
    """Store a new order of the same photos; any other set is refused (422).

    The set is checked against the list as read, and the new order stored only over that
    same version of it; a list changed meanwhile is read and checked again.
    """
    if len(set(photo_ids)) != len(photo_ids):
        raise InvalidInput("photo_ids lists a photo more than once")
    for _ in range(_REORDER_ATTEMPTS):
        current = await collection(Album).find_one(
            {"_id": album_id}, {"photo_ids": 1, "photos_version": 1}
        )
        if current is None:
            raise NotFound(ALBUM_NOT_FOUND)
        if set(current["photo_ids"]) != set(photo_ids):
            raise InvalidInput(
                "photo_ids must list every photo of the album, each once, and no other: "
                "the same photos in a new order"
            )
        result = await collection(Album).update_one(
            {"_id": album_id, "photos_version": current["photos_version"]},
            {"$set": {"photo_ids": photo_ids, "updated_at": utcnow()}, "$inc": _NEW_VERSION},
        )
        if result.matched_count == 1:
            return
    raise Conflict("The album's photos kept changing during this reorder; send it again")


async def remove_everywhere(photo_id: PydanticObjectId) -> None:
    """Take a deleted photo out of every album that holds it."""
    await collection(Album).update_many(
        {"photo_ids": photo_id},
        {"$pull": {"photo_ids": photo_id}, "$set": {"updated_at": utcnow()}, "$inc": _NEW_VERSION},
    )


async def forget(album_id: PydanticObjectId, missing: Ids[PydanticObjectId]) -> None:
    """Drop ids of photos that no longer exist (a delete interrupted before its albums)."""
    await collection(Album).update_one(
        {"_id": album_id}, {"$pull": {"photo_ids": {"$in": list(missing)}}, "$inc": _NEW_VERSION}
    )
