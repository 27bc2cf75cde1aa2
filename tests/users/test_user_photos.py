"""GET /api/v1/users/{username}/photos: a profile's gallery, for anyone."""

from __future__ import annotations

import httpx

from tests.factories import PhotoFactory, UserFactory


async def test_anyone_sees_a_users_photos_newest_first(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner, other = await users.create(), await users.create()
    mine = [await photos.upload(owner, description=f"mine {i}") for i in range(3)]
    await photos.upload(other, description="not mine")
    url = f"/api/v1/users/{owner.username}/photos"
    for caller in ({}, other.headers, owner.headers):
        listed = await client.get(url, headers=caller)
        assert listed.status_code == 200
        body = listed.json()
        assert [item["id"] for item in body["items"]] == [p["id"] for p in reversed(mine)]
        assert (body["total"], body["limit"], body["offset"]) == (3, 20, 0)
    # Each item is the photo as GET /photos/{id} shows it to the same caller.
    [newest] = (await client.get(url, params={"limit": 1}, headers=other.headers)).json()["items"]
    single = await client.get(f"/api/v1/photos/{newest['id']}", headers=other.headers)
    assert newest == single.json()
    assert newest["can_edit"] is False
    paged = await client.get(url, params={"limit": 1, "offset": 2})
    assert [item["id"] for item in paged.json()["items"]] == [mine[0]["id"]]
    # The username compares ignoring case, as profiles do.
    upper = await client.get(f"/api/v1/users/{owner.username.upper()}/photos")
    assert upper.json()["total"] == 3


async def test_unknown_user_is_404_and_paging_is_checked(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    owner = await users.create()
    missing = await client.get("/api/v1/users/nobody-here/photos")
    assert missing.status_code == 404
    assert "detail" in missing.json()
    empty = await client.get(f"/api/v1/users/{owner.username}/photos")
    assert empty.json() == {"items": [], "total": 0, "limit": 20, "offset": 0}
    for params in ({"limit": 0}, {"limit": 101}, {"offset": 10_001}):
        response = await client.get(f"/api/v1/users/{owner.username}/photos", params=params)
        assert response.status_code == 422
    # Searching by uploader stays a moderator's filter.
    other = await users.create()
    refused = await client.get(
        "/api/v1/photos", params={"owner": owner.username}, headers=other.headers
    )
    assert refused.status_code == 403
