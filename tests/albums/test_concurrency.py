"""The album's guards hold under parallel requests: a photo once, at most 1,000 photos."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId

from photoshare.albums import membership
from photoshare.albums.models import MAX_ALBUM_PHOTOS, Album
from photoshare.db import collection
from photoshare.photos.models import Photo
from tests.factories import Account, PhotoFactory, UserFactory
from tests.index_coverage import RECORDER


async def stored_photos(owner: Account, count: int) -> list[PydanticObjectId]:
    """``count`` photos of ``owner`` written straight to the database (uploads are slow)."""
    owner_id = PydanticObjectId(str(owner.me["id"]))
    photos = [
        Photo(
            owner_id=owner_id,
            storage_key=f"photos/{i:032x}.jpg",
            width=640,
            height=480,
            format="jpeg",
            bytes=1000,
            content_hash=f"{i:064x}",
        )
        for i in range(count)
    ]
    with RECORDER.quiet():  # the test's own writes, not queries the service makes
        result = await collection(Photo).insert_many(
            [photo.model_dump(exclude={"id"}) for photo in photos]
        )
    return list(result.inserted_ids)


async def fill(album: dict[str, Any], photo_ids: list[PydanticObjectId]) -> None:
    with RECORDER.quiet():
        await collection(Album).update_one(
            {"_id": PydanticObjectId(album["id"])}, {"$push": {"photo_ids": {"$each": photo_ids}}}
        )


async def new_album(client: httpx.AsyncClient, owner: Account) -> dict[str, Any]:
    response = await client.post("/api/v1/albums", json={"title": "Full"}, headers=owner.headers)
    body: dict[str, Any] = response.json()
    return body


async def test_twenty_parallel_adds_of_one_photo_make_one_entry(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    album = await new_album(client, owner)
    photo = await photos.upload(owner)
    url = f"/api/v1/albums/{album['id']}/photos"
    answers = await asyncio.gather(
        *(
            client.post(url, json={"photo_id": photo["id"]}, headers=owner.headers)
            for _ in range(20)
        )
    )
    assert Counter(answer.status_code for answer in answers) == {200: 1, 409: 19}
    listed = (await client.get(url)).json()
    assert (listed["total"], [item["id"] for item in listed["items"]]) == (1, [photo["id"]])


async def test_an_album_holds_at_most_a_thousand_photos(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    album = await new_album(client, owner)
    await fill(album, await stored_photos(owner, MAX_ALBUM_PHOTOS - 1))
    url = f"/api/v1/albums/{album['id']}"
    last, one_more = await photos.upload(owner), await photos.upload(owner)
    added = await client.post(f"{url}/photos", json={"photo_id": last["id"]}, headers=owner.headers)
    assert added.status_code == 200
    assert added.json()["photos_count"] == MAX_ALBUM_PHOTOS
    refused = await client.post(
        f"{url}/photos", json={"photo_id": one_more["id"]}, headers=owner.headers
    )
    assert refused.status_code == 409
    assert "1,000 photos" in refused.json()["detail"]
    assert (await client.get(url)).json()["photos_count"] == MAX_ALBUM_PHOTOS
    # Taking one out makes room again.
    removed = await client.delete(f"{url}/photos/{last['id']}", headers=owner.headers)
    assert removed.status_code == 204
    again = await client.post(
        f"{url}/photos", json={"photo_id": one_more["id"]}, headers=owner.headers
    )
    assert again.status_code == 200
    listed = await client.get(f"{url}/photos", params={"offset": MAX_ALBUM_PHOTOS - 1})
    assert [item["id"] for item in listed.json()["items"]] == [one_more["id"]]


async def test_twenty_parallel_adds_to_an_album_at_999_let_exactly_one_in(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    owner = await users.create()
    album = await new_album(client, owner)
    await fill(album, await stored_photos(owner, MAX_ALBUM_PHOTOS - 1))
    candidates = await stored_photos(owner, 20)
    url = f"/api/v1/albums/{album['id']}/photos"
    answers = await asyncio.gather(
        *(
            client.post(url, json={"photo_id": str(photo_id)}, headers=owner.headers)
            for photo_id in candidates
        )
    )
    assert Counter(answer.status_code for answer in answers) == {200: 1, 409: 19}
    [winner] = [candidates[i] for i, answer in enumerate(answers) if answer.status_code == 200]
    listed = await client.get(url, params={"offset": MAX_ALBUM_PHOTOS - 2})
    assert listed.json()["total"] == MAX_ALBUM_PHOTOS
    assert listed.json()["items"][-1]["id"] == str(winner)


async def test_a_reorder_of_a_full_album_keeps_every_photo(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    owner = await users.create()
    album = await new_album(client, owner)
    ids = await stored_photos(owner, MAX_ALBUM_PHOTOS)
    await fill(album, ids)
    reversed_ids = [str(photo_id) for photo_id in reversed(ids)]
    url = f"/api/v1/albums/{album['id']}/photos"
    answer = await client.put(url, json={"photo_ids": reversed_ids}, headers=owner.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["cover"]["id"] == reversed_ids[0]
    first_page = await client.get(url, params={"limit": 100})
    assert [item["id"] for item in first_page.json()["items"]] == reversed_ids[:100]


async def test_parallel_reorders_and_adds_never_lose_or_double_a_photo(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    owner = await users.create()
    album = await new_album(client, owner)
    start = await stored_photos(owner, 5)
    await fill(album, start)
    extra = await stored_photos(owner, 5)
    url = f"/api/v1/albums/{album['id']}/photos"
    order = [str(photo_id) for photo_id in reversed(start)]
    answers = await asyncio.gather(
        *(client.put(url, json={"photo_ids": order}, headers=owner.headers) for _ in range(5)),
        *(
            client.post(url, json={"photo_id": str(photo_id)}, headers=owner.headers)
            for photo_id in extra
        ),
    )
    assert all(answer.status_code in (200, 422) for answer in answers)
    assert all(answer.status_code == 200 for answer in answers[5:])
    listed = [item["id"] for item in (await client.get(url)).json()["items"]]
    assert sorted(listed) == sorted(str(photo_id) for photo_id in [*start, *extra])


async def test_a_reorder_is_not_stored_over_a_list_that_changed_after_it_was_checked(
    client: httpx.AsyncClient, users: UserFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An add lands between the reorder's check and its write (the embedded store never
    yields between the two, so the test puts it there): the new order is refused, not
    stored over the photo just added."""
    owner = await users.create()
    album = await new_album(client, owner)
    start = await stored_photos(owner, 3)
    await fill(album, start)
    [late] = await stored_photos(owner, 1)
    real_collection = membership.collection
    pending = [late]

    class AddAfterRead:
        def __init__(self, target: Any) -> None:
            self.target = target

        def __getattr__(self, name: str) -> Any:
            return getattr(self.target, name)

        async def find_one(self, *args: Any, **kwargs: Any) -> Any:
            found = await self.target.find_one(*args, **kwargs)
            if pending and kwargs.get("projection", args[1] if len(args) > 1 else None):
                await membership.add(PydanticObjectId(album["id"]), pending.pop())
            return found

    monkeypatch.setattr(
        membership, "collection", lambda model: AddAfterRead(real_collection(model))
    )
    order = [str(photo_id) for photo_id in reversed(start)]
    url = f"/api/v1/albums/{album['id']}/photos"
    answer = await client.put(url, json={"photo_ids": order}, headers=owner.headers)
    assert answer.status_code == 422
    listed = [item["id"] for item in (await client.get(url)).json()["items"]]
    assert listed == [*(str(photo_id) for photo_id in start), str(late)]
