"""Albums over HTTP: create, read, edit, delete, list; photos added, removed and reordered."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import Account, PhotoFactory, UserFactory


async def new_album(client: httpx.AsyncClient, owner: Account, **fields: Any) -> dict[str, Any]:
    body = {"title": "Harbour", **fields}
    response = await client.post("/api/v1/albums", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    album: dict[str, Any] = response.json()
    return album


@pytest.fixture
async def owner(users: UserFactory) -> Account:
    return await users.create()


@pytest.fixture
async def album(client: httpx.AsyncClient, owner: Account) -> dict[str, Any]:
    """An empty public album of ``owner``."""
    return await new_album(client, owner)


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
    client: httpx.AsyncClient, photos: PhotoFactory, owner: Account, album: dict[str, Any]
) -> None:
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


async def test_bad_input_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    owner = await users.create()
    album = await new_album(client, owner, description="kept")
    bad_creates = [
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 101},
        {"title": "ok", "description": "d" * 2001},
        {"title": "ok", "visibility": "friends"},
        {"title": "a\x07b"},
        {"title": "ok", "owner_id": "0" * 24},
        {"title": "ok", "photo_ids": []},
        {},
    ]
    for body in bad_creates:
        response = await client.post("/api/v1/albums", json=body, headers=owner.headers)
        assert response.status_code == 422, body
    listed = await client.get("/api/v1/albums", headers=owner.headers)
    assert listed.json()["total"] == 1

    url = f"/api/v1/albums/{album['id']}"
    bad_patches = [
        {"title": ""},
        {"title": None},
        {"visibility": None},
        {"description": None},
        {"visibility": "secret"},
        {"description": "d" * 2001},
        {"cover_photo_id": "not-an-id"},
        {"cover_photo_id": "0" * 24},
        {"owner_id": "0" * 24},
    ]
    for body in bad_patches:
        response = await client.patch(url, json=body, headers=owner.headers)
        assert response.status_code == 422, body
        assert "detail" in response.json()
    assert (await client.get(url)).json() == {**album, "can_edit": False, "can_delete": False}

    assert (
        await client.post("/api/v1/albums", json={"title": "x" * 100}, headers=owner.headers)
    ).status_code == 201


async def test_malformed_and_unknown_ids_are_404(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    album = await new_album(client, owner)
    for album_id in ("nope", "0" * 24, "x" * 64):
        assert (await client.get(f"/api/v1/albums/{album_id}")).status_code == 404
        assert (await client.get(f"/api/v1/albums/{album_id}/photos")).status_code == 404
        patched = await client.patch(
            f"/api/v1/albums/{album_id}", json={"title": "t"}, headers=owner.headers
        )
        assert patched.status_code == 404
        deleted = await client.delete(f"/api/v1/albums/{album_id}", headers=owner.headers)
        assert deleted.status_code == 404
    assert (await client.get(f"/api/v1/albums/{'x' * 65}")).status_code == 422
    for photo_id in ("nope", "0" * 24):
        added = await client.post(
            f"/api/v1/albums/{album['id']}/photos",
            json={"photo_id": photo_id},
            headers=owner.headers,
        )
        assert added.status_code == 404
        assert added.json()["detail"] == "No photo with this id"
    assert (await client.get(f"/api/v1/albums/{album['id']}")).json()["photos_count"] == 0


async def test_only_the_album_owners_photos_can_be_added_except_by_admins(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    admin, owner, other = await users.create(), await users.create(), await users.create()
    album = await new_album(client, owner)
    others_photo = await photos.upload(other)
    refused = await add(client, owner, album, others_photo)
    assert refused.status_code == 403
    assert "own photos" in refused.json()["detail"]
    assert await photo_ids(client, album, owner) == []
    # An admin may add anyone's photo, their own included.
    admins_photo = await photos.upload(admin)
    assert (await add(client, admin, album, others_photo)).status_code == 200
    assert (await add(client, admin, album, admins_photo)).status_code == 200
    assert await photo_ids(client, album, owner) == [others_photo["id"], admins_photo["id"]]
    # The owner may reorder and remove what an admin added.
    url = f"/api/v1/albums/{album['id']}/photos"
    order = [admins_photo["id"], others_photo["id"]]
    reordered = await client.put(url, json={"photo_ids": order}, headers=owner.headers)
    assert reordered.status_code == 200
    removed = await client.delete(f"{url}/{others_photo['id']}", headers=owner.headers)
    assert removed.status_code == 204


async def test_reorder_needs_the_same_photos(
    client: httpx.AsyncClient, photos: PhotoFactory, owner: Account, album: dict[str, Any]
) -> None:
    url = f"/api/v1/albums/{album['id']}/photos"
    empty = await client.put(url, json={"photo_ids": []}, headers=owner.headers)
    assert empty.status_code == 200
    a, b, c, d = [await photos.upload(owner) for _ in range(4)]
    for photo in (a, b, c):
        await add(client, owner, album, photo)
    reordered = await client.put(
        url, json={"photo_ids": [c["id"], a["id"], b["id"]]}, headers=owner.headers
    )
    assert reordered.status_code == 200, reordered.text
    assert reordered.json()["cover"]["id"] == c["id"]
    assert reordered.json()["updated_at"] > album["updated_at"]
    assert await photo_ids(client, album, owner) == [c["id"], a["id"], b["id"]]

    different_sets = [
        [a["id"], b["id"]],  # one left out
        [a["id"], b["id"], c["id"], d["id"]],  # one more
        [a["id"], b["id"], d["id"]],  # one swapped for another
        [a["id"], a["id"], b["id"]],  # one twice, one left out
        [a["id"], b["id"], c["id"], c["id"]],  # one twice
        [a["id"], b["id"], "not-an-id"],
        [],
    ]
    for photo_list in different_sets:
        response = await client.put(url, json={"photo_ids": photo_list}, headers=owner.headers)
        assert response.status_code == 422, photo_list
    assert await photo_ids(client, album, owner) == [c["id"], a["id"], b["id"]]
    too_long = await client.put(url, json={"photo_ids": [a["id"]] * 1001}, headers=owner.headers)
    assert too_long.status_code == 422


async def test_a_chosen_cover_must_be_in_the_album_and_null_restores_the_first(
    client: httpx.AsyncClient, photos: PhotoFactory, owner: Account, album: dict[str, Any]
) -> None:
    url = f"/api/v1/albums/{album['id']}"
    inside, outside = await photos.upload(owner), await photos.upload(owner)
    refused = await client.patch(url, json={"cover_photo_id": inside["id"]}, headers=owner.headers)
    assert refused.status_code == 422
    assert "in this album" in refused.json()["detail"]
    first = await photos.upload(owner)
    await add(client, owner, album, first)
    await add(client, owner, album, inside)
    chosen = await client.patch(
        url, json={"cover_photo_id": inside["id"], "title": "New"}, headers=owner.headers
    )
    assert chosen.status_code == 200
    assert (chosen.json()["cover"]["id"], chosen.json()["title"]) == (inside["id"], "New")
    refused = await client.patch(
        url, json={"cover_photo_id": outside["id"], "title": "Lost"}, headers=owner.headers
    )
    assert refused.status_code == 422
    kept = (await client.get(url)).json()
    assert (kept["cover"]["id"], kept["title"]) == (inside["id"], "New")
    reset = await client.patch(url, json={"cover_photo_id": None}, headers=owner.headers)
    assert reset.json()["cover"]["id"] == first["id"]


async def test_the_users_photos_listed_on_the_album_are_shown_to_each_caller(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner, other = await users.create(), await users.create()
    album = await new_album(client, owner)
    photo = await photos.upload(owner)
    await add(client, owner, album, photo)
    url = f"/api/v1/albums/{album['id']}/photos"
    mine = (await client.get(url, headers=owner.headers)).json()["items"][0]
    theirs = (await client.get(url, headers=other.headers)).json()["items"][0]
    assert (mine["can_edit"], theirs["can_edit"]) == (True, False)
    assert {**theirs, "can_edit": True, "can_delete": True} == mine
    assert mine == (await client.get(f"/api/v1/photos/{photo['id']}", headers=owner.headers)).json()
