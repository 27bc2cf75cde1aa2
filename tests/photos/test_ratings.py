"""Ratings: one per user, not on your own photo, moderated, the average exact."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from beanie import PydanticObjectId

from photoshare.db import collection
from photoshare.photos.models import MAX_RATINGS, Photo, Rating
from tests.factories import PhotoFactory, UserFactory


async def test_ratings_average_and_moderation(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    admin, owner = await users.admin_and_user()
    moderator = await users.create(role="moderator", admin=admin)
    raters = [await users.create() for _ in range(3)]
    photo = await photos.upload(owner)
    url = f"/api/v1/photos/{photo['id']}/ratings"

    summaries = []
    for rater, stars in zip(raters, (5, 4, 4), strict=True):
        response = await client.post(url, json={"stars": stars}, headers=rater.headers)
        assert response.status_code == 201
        summaries.append(response.json())
    assert summaries[-1] == {"average": 4.33, "count": 3}
    assert (await client.get(f"/api/v1/photos/{photo['id']}")).json()["rating"] == {
        "average": 4.33,
        "count": 3,
    }

    again = await client.post(url, json={"stars": 1}, headers=raters[0].headers)
    assert again.status_code == 409
    own = await client.post(url, json={"stars": 5}, headers=owner.headers)
    assert own.status_code == 403
    assert (await client.post(url, json={"stars": 5})).status_code == 401

    assert (await client.get(url, headers=raters[0].headers)).status_code == 403
    assert (await client.get(url)).status_code == 401
    listed = await client.get(url, headers=moderator.headers)
    assert listed.status_code == 200
    assert [(r["user"]["username"], r["stars"]) for r in listed.json()["items"]] == [
        (raters[0].username, 5),
        (raters[1].username, 4),
        (raters[2].username, 4),
    ]

    assert (
        await client.delete(f"{url}/{raters[0].username}", headers=raters[1].headers)
    ).status_code == 403
    assert (
        await client.delete(f"{url}/{raters[0].username}", headers=moderator.headers)
    ).status_code == 204
    assert (await client.get(f"/api/v1/photos/{photo['id']}")).json()["rating"] == {
        "average": 4.0,
        "count": 2,
    }
    assert (
        await client.delete(f"{url}/{raters[0].username}", headers=admin.headers)
    ).status_code == 404
    assert (await client.delete(f"{url}/nobody", headers=admin.headers)).status_code == 404
    # Removed, the user may rate again.
    assert (await client.post(url, json={"stars": 1}, headers=raters[0].headers)).json() == {
        "average": 3.0,
        "count": 3,
    }


@pytest.mark.parametrize("stars", [0, 6, 2.5, "five", "5", True, None, {"$gt": 0}, [5]])
async def test_only_whole_stars_from_one_to_five(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, stars: object
) -> None:
    owner, rater = await users.create(), await users.create()
    photo = await photos.upload(owner)
    response = await client.post(
        f"/api/v1/photos/{photo['id']}/ratings", json={"stars": stars}, headers=rater.headers
    )
    assert response.status_code == 422
    stored = await Photo.get(photo["id"])
    assert stored is not None and stored.ratings == [] and stored.rating_count == 0


async def test_concurrent_ratings_by_one_user_store_one(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner, rater = await users.create(), await users.create()
    photo = await photos.upload(owner)
    responses = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/photos/{photo['id']}/ratings",
                json={"stars": 1 + i % 5},
                headers=rater.headers,
            )
            for i in range(20)
        )
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    stored = await Photo.get(photo["id"])
    assert stored is not None
    assert len(stored.ratings) == 1 and stored.rating_count == 1
    assert stored.rating_sum == stored.ratings[0].stars == stored.rating_average


async def test_parallel_ratings_at_the_cap_store_exactly_up_to_it(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    raters = [await users.create() for _ in range(8)]
    photo = await photos.upload(owner)
    # Earlier raters, stored directly: the cap is far beyond what signing up can reach here.
    seeded = [
        Rating(user_id=PydanticObjectId(), stars=4).model_dump() for _ in range(MAX_RATINGS - 3)
    ]
    await collection(Photo).update_one(
        {"_id": PydanticObjectId(str(photo["id"]))},
        {
            "$set": {
                "ratings": seeded,
                "rating_count": len(seeded),
                "rating_sum": 4 * len(seeded),
                "rating_average": 4.0,
            }
        },
    )
    url = f"/api/v1/photos/{photo['id']}/ratings"

    responses = await asyncio.gather(
        *(client.post(url, json={"stars": 5}, headers=rater.headers) for rater in raters)
    )

    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * 5
    refused = next(r for r in responses if r.status_code == 409)
    assert "20,000 ratings" in refused.json()["detail"]
    # Someone who has rated is still told so, not that the photo is full.
    rated = raters[[r.status_code for r in responses].index(201)]
    again = await client.post(url, json={"stars": 1}, headers=rated.headers)
    assert again.status_code == 409 and "already rated" in again.json()["detail"]
    shown = (await client.get(f"/api/v1/photos/{photo['id']}")).json()["rating"]
    assert shown["count"] == MAX_RATINGS
    stored = await Photo.get(photo["id"])
    assert stored is not None and len(stored.ratings) == stored.rating_count == MAX_RATINGS
