"""Who may delete a link: its creator, the owner of its photo or album, or an admin.

The same predicate answers ``DELETE /api/v1/links/{id}`` and the links' ``can_delete``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from beanie import PydanticObjectId

from photoshare.albums.models import Album
from photoshare.db import collection
from photoshare.links.models import Link
from photoshare.photos.models import Photo
from photoshare.users.models import Role, User


async def deletable(links: Sequence[Link], viewer: User | None) -> set[PydanticObjectId | None]:
    """The links ``viewer`` may delete: made by them, of their photos or albums, or any for an
    admin."""
    if viewer is None:
        return set()
    if viewer.role is Role.admin:
        return {link.id for link in links}
    others = [link for link in links if link.created_by != viewer.id]
    owned = await _subjects_owned_by(viewer, others)
    return {
        link.id
        for link in links
        if link.created_by == viewer.id or (link.photo_id or link.album_id) in owned
    }


async def _subjects_owned_by(viewer: User, links: Sequence[Link]) -> set[Any]:
    """Which of the links' photos and albums belong to ``viewer`` (ids only, one query each)."""
    owned: set[Any] = set()
    for model, ids in (
        (Photo, {link.photo_id for link in links if link.photo_id}),
        (Album, {link.album_id for link in links if link.album_id}),
    ):
        if ids:
            cursor = collection(model).find(
                {"_id": {"$in": list(ids)}, "owner_id": viewer.id}, {"_id": 1}
            )
            owned |= {doc["_id"] async for doc in cursor}
    return owned
