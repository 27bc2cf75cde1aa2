"""Comments: anyone logged in adds, the author edits, moderators and admins delete."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from beanie import PydanticObjectId

from photoshare.db import collection
from photoshare.photos.models import MAX_COMMENTS, Comment, Photo
from tests.factories import PhotoFactory, UserFactory


async def test_comment_lifecycle(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    admin, owner = await users.admin_and_user()
    commenter = await users.create()
    moderator = await users.create(role="moderator", admin=admin)
    photo = await photos.upload(owner)
    url = f"/api/v1/photos/{photo['id']}/comments"

    own = await client.post(url, json={"text": "  My own photo  "}, headers=owner.headers)
    assert own.status_code == 201
    assert own.json()["text"] == "My own photo"
    assert own.json()["author"] == {"username": owner.username, "avatar_url": None}
    first = (await client.post(url, json={"text": "Nice"}, headers=commenter.headers)).json()
    await client.post(url, json={"text": "Third"}, headers=moderator.headers)

    listed = await client.get(url)  # anonymous
    assert listed.status_code == 200
    body = listed.json()
    assert [c["text"] for c in body["items"]] == ["My own photo", "Nice", "Third"]
    assert body["total"] == 3
    paged = (await client.get(url, params={"limit": 1, "offset": 1})).json()
    assert [c["text"] for c in paged["items"]] == ["Nice"] and paged["total"] == 3
    assert (await client.get(f"/api/v1/photos/{photo['id']}")).json()["comments_count"] == 3

    await asyncio.sleep(0.01)
    edited = await client.put(
        f"{url}/{first['id']}", json={"text": "Very nice"}, headers=commenter.headers
    )
    assert edited.status_code == 200
    assert edited.json()["text"] == "Very nice"
    assert edited.json()["created_at"] == first["created_at"]
    assert edited.json()["updated_at"] > first["updated_at"]
    for other in (owner, moderator, admin):
        denied = await client.put(f"{url}/{first['id']}", json={"text": "x"}, headers=other.headers)
        assert denied.status_code == 403
    assert (await client.put(f"{url}/{first['id']}", json={"text": "x"})).status_code == 401

    by_author = await client.delete(f"{url}/{first['id']}", headers=commenter.headers)
    assert by_author.status_code == 403
    assert (
        await client.delete(f"{url}/{first['id']}", headers=moderator.headers)
    ).status_code == 204
    assert (
        await client.delete(f"{url}/{own.json()['id']}", headers=admin.headers)
    ).status_code == 204
    assert (
        await client.delete(f"{url}/{own.json()['id']}", headers=admin.headers)
    ).status_code == 404
    remaining = (await client.get(url)).json()
    assert [c["text"] for c in remaining["items"]] == ["Third"]
    assert (await client.get(f"/api/v1/photos/{photo['id']}")).json()["comments_count"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"text": "x" * 1001},
        {"text": "   \n\t "},
        {"text": ""},
        {},
        {"text": {"$gt": ""}},
        {"text": 5},
    ],
)
async def test_bad_comments_are_422_and_store_nothing(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, body: dict[str, object]
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner)
    response = await client.post(
        f"/api/v1/photos/{photo['id']}/comments", json=body, headers=owner.headers
    )
    assert response.status_code == 422
    stored = await Photo.get(photo["id"])
    assert stored is not None and stored.comments == [] and stored.comments_count == 0


async def test_thousand_characters_is_accepted(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner)
    response = await client.post(
        f"/api/v1/photos/{photo['id']}/comments", json={"text": "y" * 1000}, headers=owner.headers
    )
    assert response.status_code == 201
    # The bound counts the text after trimming, which is what is stored.
    padded = {"text": "  " + "z" * 1000 + "\n"}
    response = await client.post(
        f"/api/v1/photos/{photo['id']}/comments", json=padded, headers=owner.headers
    )
    assert response.status_code == 201
    assert response.json()["text"] == "z" * 1000


async def test_unknown_ids_are_404(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    admin = await users.create()
    photo = await photos.upload(admin)
    url = f"/api/v1/photos/{photo['id']}/comments"
    for comment_id in ("nope", "0" * 24):
        assert (
            await client.put(f"{url}/{comment_id}", json={"text": "x"}, headers=admin.headers)
        ).status_code == 404
        assert (
            await client.delete(f"{url}/{comment_id}", headers=admin.headers)
        ).status_code == 404
    assert (await client.get("/api/v1/photos/nope/comments")).status_code == 404
    assert (
        await client.post("/api/v1/photos/nope/comments", json={"text": "x"}, headers=admin.headers)
    ).status_code == 404


async def _seed_comments(photo_id: str, author_id: str, count: int) -> None:
    """Store ``count`` comments directly, as earlier posts would have."""
    comments = [
        Comment(author_id=PydanticObjectId(author_id), text=f"seeded {i}").model_dump()
        for i in range(count)
    ]
    await collection(Photo).update_one(
        {"_id": PydanticObjectId(photo_id)},
        {"$push": {"comments": {"$each": comments}}, "$inc": {"comments_count": count}},
    )


async def test_parallel_posts_at_the_cap_store_exactly_up_to_it(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner)
    await _seed_comments(str(photo["id"]), str(owner.me["id"]), MAX_COMMENTS - 5)
    url = f"/api/v1/photos/{photo['id']}/comments"

    responses = await asyncio.gather(
        *(client.post(url, json={"text": f"late {i}"}, headers=owner.headers) for i in range(30))
    )

    assert sorted(r.status_code for r in responses) == [201] * 5 + [409] * 25
    refused = next(r for r in responses if r.status_code == 409)
    assert "1,000 comments" in refused.json()["detail"]
    stored = await Photo.get(photo["id"])
    assert stored is not None
    assert len(stored.comments) == stored.comments_count == MAX_COMMENTS
    listed = (await client.get(url, params={"offset": MAX_COMMENTS - 5})).json()
    assert listed["total"] == MAX_COMMENTS
    assert sorted(c["text"] for c in listed["items"]) == sorted(
        r.json()["text"] for r in responses if r.status_code == 201
    )


async def test_a_full_photo_still_takes_edits_and_deletes(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    admin = await users.create()
    photo = await photos.upload(admin)
    url = f"/api/v1/photos/{photo['id']}/comments"
    await _seed_comments(str(photo["id"]), str(admin.me["id"]), MAX_COMMENTS - 1)
    last = await client.post(url, json={"text": "the last one"}, headers=admin.headers)
    assert last.status_code == 201
    assert (
        await client.post(url, json={"text": "one more"}, headers=admin.headers)
    ).status_code == 409

    edited = await client.put(
        f"{url}/{last.json()['id']}", json={"text": "edited"}, headers=admin.headers
    )
    assert edited.status_code == 200
    deleted = await client.delete(f"{url}/{last.json()['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    # Deleting one makes room for one.
    assert (await client.post(url, json={"text": "room"}, headers=admin.headers)).status_code == 201
    assert (await client.post(url, json={"text": "full"}, headers=admin.headers)).status_code == 409
    assert (await client.get(f"/api/v1/photos/{photo['id']}")).json()["comments_count"] == 1000
