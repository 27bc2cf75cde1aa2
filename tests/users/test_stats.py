"""Profile statistics follow uploads, comments, ratings and deletions."""

from __future__ import annotations

import asyncio

import httpx
from beanie import PydanticObjectId

from photoshare.config import Settings
from photoshare.db import collection
from photoshare.migrations import COMMENT_COUNTERS
from photoshare.photos.models import Comment, Photo
from photoshare.users.models import SiteClaim
from tests.factories import PhotoFactory, UserFactory
from tests.servers import running_app


async def test_profile_numbers_match_the_data(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    admin, ann = await users.admin_and_user()
    ben, cid = await users.create(), await users.create()

    async def profile(name: str) -> dict[str, object]:
        response = await client.get(f"/api/v1/users/{name}")
        assert response.status_code == 200
        return dict(response.json())

    ann_photos = [await photos.upload(ann) for _ in range(3)]
    ben_photo = await photos.upload(ben)

    async def comment(account: object, photo: dict[str, object]) -> str:
        response = await client.post(
            f"/api/v1/photos/{photo['id']}/comments",
            json={"text": "hi"},
            headers=account.headers,  # type: ignore[attr-defined]
        )
        return str(response.json()["id"])

    async def rate(account: object, photo: dict[str, object], stars: int) -> None:
        response = await client.post(
            f"/api/v1/photos/{photo['id']}/ratings",
            json={"stars": stars},
            headers=account.headers,  # type: ignore[attr-defined]
        )
        assert response.status_code == 201

    await comment(ann, ben_photo)
    await comment(ann, ann_photos[0])
    ben_comment = await comment(ben, ann_photos[0])
    await comment(ben, ann_photos[1])
    await rate(ben, ann_photos[0], 5)
    await rate(cid, ann_photos[0], 2)
    await rate(cid, ann_photos[1], 4)
    await rate(ann, ben_photo, 1)

    assert {
        k: v
        for k, v in (await profile(ann.username)).items()
        if k.endswith(("count", "given", "received"))
    } == {
        "photos_count": 3,
        "comments_count": 2,
        "ratings_given": 1,
        "rating_received": {"average": 3.67, "count": 3},
    }
    ben_profile = await profile(ben.username)
    assert (
        ben_profile["photos_count"],
        ben_profile["comments_count"],
        ben_profile["ratings_given"],
    ) == (1, 2, 1)
    assert ben_profile["rating_received"] == {"average": 1.0, "count": 1}
    me = (await client.get("/api/v1/users/me", headers=ann.headers)).json()
    assert me["photos_count"] == 3

    # Deletions: a photo (with its ratings and comments), a comment, a rating.
    await client.delete(f"/api/v1/photos/{ann_photos[1]['id']}", headers=ann.headers)
    await client.delete(
        f"/api/v1/photos/{ann_photos[0]['id']}/comments/{ben_comment}", headers=admin.headers
    )
    await client.delete(
        f"/api/v1/photos/{ann_photos[0]['id']}/ratings/{cid.username}", headers=admin.headers
    )
    ann_profile = await profile(ann.username)
    assert ann_profile["photos_count"] == 2
    assert ann_profile["comments_count"] == 2
    assert ann_profile["rating_received"] == {"average": 5.0, "count": 1}
    ben_profile = await profile(ben.username)
    assert (ben_profile["comments_count"], ben_profile["ratings_given"]) == (0, 1)
    cid_profile = await profile(cid.username)
    assert (cid_profile["ratings_given"], cid_profile["photos_count"]) == (0, 0)


async def test_comment_counts_hold_under_concurrent_writes(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    admin, ann = await users.admin_and_user()
    first, second = await photos.upload(admin), await photos.upload(admin)

    async def comment(photo: dict[str, object], i: int) -> str:
        response = await client.post(
            f"/api/v1/photos/{photo['id']}/comments", json={"text": f"c{i}"}, headers=ann.headers
        )
        assert response.status_code == 201
        return str(response.json()["id"])

    async def written() -> int:
        return int((await client.get(f"/api/v1/users/{ann.username}")).json()["comments_count"])

    on_first = await asyncio.gather(*(comment(first, i) for i in range(20)))
    await asyncio.gather(*(comment(second, i) for i in range(10)))
    assert await written() == 30

    # The same comment deleted by 20 requests at once is uncounted once.
    deletions = await asyncio.gather(
        *(
            client.delete(
                f"/api/v1/photos/{first['id']}/comments/{on_first[0]}", headers=admin.headers
            )
            for _ in range(20)
        )
    )
    assert sorted(r.status_code for r in deletions) == [204] + [404] * 19
    assert await written() == 29

    removals = await asyncio.gather(
        *(client.delete(f"/api/v1/photos/{second['id']}", headers=admin.headers) for _ in range(5))
    )
    assert sorted(r.status_code for r in removals) == [204] + [404] * 4
    assert await written() == 19


async def test_comments_written_before_the_counters_are_counted_at_start(
    settings: Settings,
) -> None:
    """A store written before accounts counted comments: 3,000 long ones are counted once."""
    text = "a long comment that goes on " * 35
    async with running_app(settings) as client:
        users, photos = UserFactory(client), PhotoFactory(client)
        ann, ben = await users.admin_and_user()
        ann_id, ben_id = (PydanticObjectId(str(a.me["id"])) for a in (ann, ben))
        for _ in range(6):
            photo = await photos.upload(ben)
            # As an older version stored them: 500 of ann's and 10 of ben's on each photo,
            # and no counter anywhere.
            written = [Comment(author_id=ann_id, text=text) for _ in range(500)]
            written += [Comment(author_id=ben_id, text=text) for _ in range(10)]
            await collection(Photo).update_one(
                {"_id": PydanticObjectId(str(photo["id"]))},
                {
                    "$push": {"comments": {"$each": [c.model_dump() for c in written]}},
                    "$inc": {"comments_count": len(written)},
                },
            )
        await collection(SiteClaim).delete_one({"_id": COMMENT_COUNTERS})

    async with running_app(settings) as client:
        ann_profile = (await client.get(f"/api/v1/users/{ann.username}")).json()
        ben_profile = (await client.get(f"/api/v1/users/{ben.username}")).json()
        assert (ann_profile["comments_count"], ann_profile["photos_count"]) == (3000, 0)
        assert (ben_profile["comments_count"], ben_profile["photos_count"]) == (60, 6)
        # Counted once: from now on the counters move with each comment.
        photo_id = (await client.get("/api/v1/photos")).json()["items"][0]["id"]
        await UserFactory(client).login(ann)
        response = await client.post(
            f"/api/v1/photos/{photo_id}/comments", json={"text": "one more"}, headers=ann.headers
        )
        assert response.status_code == 201

    async with running_app(settings) as client:
        ann_profile = (await client.get(f"/api/v1/users/{ann.username}")).json()
        assert ann_profile["comments_count"] == 3001
