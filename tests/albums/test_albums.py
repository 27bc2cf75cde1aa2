"""Albums over HTTP: create, read, edit, delete, list; photos added, removed and reordered."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Account, PhotoFactory, UserFactory


async def new_album(client: httpx.AsyncClient, owner: Account, **fields: Any) -> dict[str, Any]:
    body = {"title": "Harbour", **fields}
    response = await client.post("/api/v1/albums", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    album: dict[str, Any] = response.json()
    return album


async def add(
    client: httpx.AsyncClient, caller: Account, album: dict[str, Any], photo: dict[str, Any]
) -> httpx.Response:
    return await client.post(
        f"/api/v1/albums/{album['id']}/photos",
        json={"photo_id": photo["id"]},
        headers=caller.headers,
    )


async def photo_ids(client: httpx.AsyncClient, album: dict[str, Any], caller: Account) -> list[str]:
    response = await client.get(f"/api/v1/albums/{album['id']}/photos", headers=caller.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_create_read_edit_delete(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    album = await new_album(client, owner, description="At night\nby the sea")
    assert album["title"] == "Harbour"
    assert album["description"] == "At night\nby the sea"
    assert album["visibility"] == "public"
    assert album["owner"] == {"username": owner.username, "avatar_url": None}
    assert (album["cover"], album["photos_count"]) == (None, 0)
    assert (album["can_edit"], album["can_delete"]) == (True, True)

    read = await client.get(f"/api/v1/albums/{album['id']}")
    assert read.status_code == 200
    assert read.json() == {**album, "can_edit": False, "can_delete": False}

    edited = await client.patch(
        f"/api/v1/albums/{album['id']}",
        json={"title": " Dunes ", "visibility": "unlisted"},
        headers=owner.headers,
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert (body["title"], body["visibility"], body["description"]) == (
        "Dunes",
        "unlisted",
        "At night\nby the sea",
    )
    assert body["updated_at"] > album["updated_at"]

    photo = await photos.upload(owner)
    assert (await add(client, owner, album, photo)).status_code == 200
    deleted = await client.delete(f"/api/v1/albums/{album['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    assert (await client.get(f"/api/v1/albums/{album['id']}")).status_code == 404
    # Its photos stay.
    assert (await client.get(f"/api/v1/photos/{photo['id']}")).status_code == 200


async def test_add_list_remove_and_cover(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    album = await new_album(client, owner)
    first, second, third = [await photos.upload(owner, description=f"p{i}") for i in range(3)]
    for photo in (first, second, third):
        added = await add(client, owner, album, photo)
        assert added.status_code == 200, added.text
    body = added.json()
    assert body["photos_count"] == 3
    assert body["cover"]["id"] == first["id"]
    assert body["cover"]["sizes"] == first["sizes"]
    assert await photo_ids(client, album, owner) == [first["id"], second["id"], third["id"]]

    again = await add(client, owner, album, second)
    assert again.status_code == 409
    assert "already in the album" in again.json()["detail"]

    url = f"/api/v1/albums/{album['id']}"
    covered = await client.patch(url, json={"cover_photo_id": third["id"]}, headers=owner.headers)
    assert covered.json()["cover"]["id"] == third["id"]
    removed = await client.delete(f"{url}/photos/{third['id']}", headers=owner.headers)
    assert removed.status_code == 204
    after = (await client.get(url)).json()
    assert (after["cover"]["id"], after["photos_count"]) == (first["id"], 2)
    # Put back, it is not the cover again: the choice went with it.
    await add(client, owner, album, third)
    assert (await client.get(url)).json()["cover"]["id"] == first["id"]
    assert (await client.get(f"/api/v1/photos/{third['id']}")).status_code == 200

    missing = await client.delete(f"{url}/photos/{third['id']}x", headers=owner.headers)
    assert missing.status_code == 404
    page = await client.get(f"{url}/photos", params={"limit": 1, "offset": 1})
    assert page.json()["total"] == 3
    assert [item["id"] for item in page.json()["items"]] == [second["id"]]
