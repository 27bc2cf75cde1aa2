"""Profile statistics follow uploads, comments, ratings and deletions."""

from __future__ import annotations

import httpx

from tests.factories import PhotoFactory, UserFactory


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
