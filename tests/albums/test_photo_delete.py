"""A deleted photo leaves every album; an album never shows a photo that is gone."""

from __future__ import annotations

from typing import Any

import httpx
from beanie import PydanticObjectId

from photoshare.albums.models import Album
from photoshare.db import collection
from photoshare.photos.models import Photo
from tests.factories import Account, PhotoFactory, UserFactory
from tests.index_coverage import RECORDER


async def album_with(
    client: httpx.AsyncClient, caller: Account, photos: list[dict[str, Any]], **fields: Any
) -> str:
    created = await client.post(
        "/api/v1/albums", json={"title": "Trip", **fields}, headers=caller.headers
    )
    album_id = str(created.json()["id"])
    for photo in photos:
        added = await client.post(
            f"/api/v1/albums/{album_id}/photos",
            json={"photo_id": photo["id"]},
            headers=caller.headers,
        )
        assert added.status_code == 200, added.text
    return album_id


async def shown(client: httpx.AsyncClient, album_id: str, caller: Account) -> tuple[Any, ...]:
    """What a reader sees: the count, the cover, the photos in order."""
    url = f"/api/v1/albums/{album_id}"
    album = (await client.get(url, headers=caller.headers)).json()
    listed = (await client.get(f"{url}/photos", headers=caller.headers)).json()
    cover = album["cover"]["id"] if album["cover"] else None
    ids = [item["id"] for item in listed["items"]]
    return album["photos_count"], cover, ids, listed["total"]


async def stored_ids(album_id: str) -> list[str]:
    with RECORDER.quiet():
        doc = await collection(Album).find_one({"_id": PydanticObjectId(album_id)})
    assert doc is not None
    return [str(photo_id) for photo_id in doc["photo_ids"]]


async def test_deleting_a_photo_takes_it_out_of_every_album(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    admin, owner = await users.create(), await users.create()
    first, second, third = [await photos.upload(owner) for _ in range(3)]
    mine = await album_with(client, owner, [first, second, third])
    private = await album_with(client, owner, [second], visibility="private")
    admins = await album_with(client, admin, [first, second])
    await client.patch(
        f"/api/v1/albums/{mine}", json={"cover_photo_id": second["id"]}, headers=owner.headers
    )
    assert (await shown(client, mine, owner))[1] == second["id"]

    deleted = await client.delete(f"/api/v1/photos/{second['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    assert await shown(client, mine, owner) == (2, first["id"], [first["id"], third["id"]], 2)
    assert await shown(client, private, owner) == (0, None, [], 0)
    assert await shown(client, admins, admin) == (1, first["id"], [first["id"]], 1)
    for album_id in (mine, private, admins):
        assert second["id"] not in await stored_ids(album_id)

    # Deleting an album keeps its photos.
    assert (await client.delete(f"/api/v1/albums/{mine}", headers=owner.headers)).status_code == 204
    for photo in (first, third):
        assert (await client.get(f"/api/v1/photos/{photo['id']}")).status_code == 200
    assert await shown(client, admins, admin) == (1, first["id"], [first["id"]], 1)


async def test_an_album_never_shows_a_photo_whose_delete_stopped_halfway(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    first, second, third = [await photos.upload(owner) for _ in range(3)]
    album_id = await album_with(client, owner, [first, second, third])
    listed = await client.get("/api/v1/albums", headers=owner.headers)
    assert listed.json()["items"][0]["cover"]["id"] == first["id"]
    # The process stopped after the photo's own delete, before its albums were updated.
    with RECORDER.quiet():
        await collection(Photo).delete_one({"_id": PydanticObjectId(first["id"])})
    assert await stored_ids(album_id) == [first["id"], second["id"], third["id"]]

    listed = await client.get("/api/v1/albums", headers=owner.headers)
    [item] = listed.json()["items"]
    assert (item["photos_count"], item["cover"]["id"]) == (2, second["id"])
    assert await shown(client, album_id, owner) == (
        2,
        second["id"],
        [second["id"], third["id"]],
        2,
    )
    # The album heals on reading: the id of the missing photo is gone from it too, so the
    # photos shown can be reordered as they are.
    assert await stored_ids(album_id) == [second["id"], third["id"]]
    reordered = await client.put(
        f"/api/v1/albums/{album_id}/photos",
        json={"photo_ids": [third["id"], second["id"]]},
        headers=owner.headers,
    )
    assert reordered.status_code == 200
    added = await client.post(
        f"/api/v1/albums/{album_id}/photos", json={"photo_id": first["id"]}, headers=owner.headers
    )
    assert added.status_code == 404
