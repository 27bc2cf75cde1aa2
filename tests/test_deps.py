"""Shared dependencies over HTTP: paging bounds hold on every list."""

from __future__ import annotations

import httpx

from photoshare.deps import MAX_OFFSET
from tests.factories import PhotoFactory, UserFactory


async def test_every_paged_list_refuses_an_offset_past_the_cap(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    admin = await users.create()
    photo = await photos.upload(admin, tags="sea")
    lists = [
        "/api/v1/photos",
        f"/api/v1/photos/{photo['id']}/comments",
        f"/api/v1/photos/{photo['id']}/ratings",
        f"/api/v1/photos/{photo['id']}/links",
        "/api/v1/tags",
        "/api/v1/users",
    ]
    for path in lists:
        deepest = await client.get(path, params={"offset": MAX_OFFSET}, headers=admin.headers)
        assert deepest.status_code == 200, (path, deepest.text)
        assert deepest.json()["items"] == [] and deepest.json()["offset"] == 10_000
        for offset in (MAX_OFFSET + 1, 1_000_000, 10**30):
            past = await client.get(path, params={"offset": offset}, headers=admin.headers)
            assert past.status_code == 422, (path, offset, past.text)
            [error] = past.json()["detail"]
            assert error["loc"] == ["query", "offset"]
