"""Making album links (who may, with which policy) and the policies on the album page."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId

from photoshare.clock import utcnow
from photoshare.db import collection
from photoshare.links.models import Link
from tests.albums.share import path_of, read_page, share
from tests.albums.test_photo_delete import album_with
from tests.factories import Account, PhotoFactory, UserFactory
from tests.index_coverage import RECORDER
from tests.media import samples

SECRET = "sand and wind 42"


@pytest.fixture
async def admin(users: UserFactory) -> Account:
    return await users.create()


@pytest.fixture
async def owner(admin: Account, users: UserFactory) -> Account:
    return await users.create("dunes")


@pytest.fixture
async def album(client: httpx.AsyncClient, owner: Account, photos: PhotoFactory) -> str:
    """The id of an unlisted album of one photo."""
    photo = await photos.upload(owner, samples.jpeg(320, 240), description="Ridge")
    return await album_with(client, owner, [photo], visibility="unlisted")


async def test_who_may_share_an_album(
    client: httpx.AsyncClient,
    admin: Account,
    owner: Account,
    users: UserFactory,
    album: str,
) -> None:
    path = f"/api/v1/albums/{album}/links"
    anonymous = await client.post(path, json={})
    assert anonymous.status_code == 401
    stranger = await users.create()
    assert (await client.post(path, json={}, headers=stranger.headers)).status_code == 403
    moderator = await users.create(role="moderator", admin=admin)
    assert (await client.post(path, json={}, headers=moderator.headers)).status_code == 403

    by_owner = await client.post(path, json={}, headers=owner.headers)
    by_admin = await client.post(path, json={}, headers=admin.headers)

    assert by_owner.status_code == by_admin.status_code == 201
    assert by_owner.json()["created_by"] == "dunes"
    assert by_admin.json()["created_by"] == admin.username
    # Every request makes a link of its own.
    assert by_owner.json()["id"] != by_admin.json()["id"]
    for made in (by_owner.json(), by_admin.json()):
        assert made["album_id"] == album
        assert made["photo_id"] is None
        assert made["views"] == 0
        assert made["has_password"] is False
        assert "password" not in made and "password_hash" not in made


async def test_the_album_owner_may_revoke_a_link_an_admin_made(
    client: httpx.AsyncClient, admin: Account, owner: Account, users: UserFactory, album: str
) -> None:
    made = await client.post(f"/api/v1/albums/{album}/links", json={}, headers=admin.headers)
    link = made.json()
    stranger = await users.create()
    listed = await client.get(f"/api/v1/links/{link['id']}", headers=owner.headers)
    assert listed.json()["can_delete"] is True
    shown_to_stranger = await client.get(f"/api/v1/links/{link['id']}", headers=stranger.headers)
    assert shown_to_stranger.json()["can_delete"] is False
    refused = await client.delete(f"/api/v1/links/{link['id']}", headers=stranger.headers)
    assert refused.status_code == 403
    revoked = await client.delete(f"/api/v1/links/{link['id']}", headers=owner.headers)
    assert revoked.status_code == 204
    assert (await client.get(path_of(link["url"]))).status_code == 404


async def test_a_private_album_is_not_found_by_others(
    client: httpx.AsyncClient, owner: Account, users: UserFactory
) -> None:
    album = await album_with(client, owner, [], visibility="private")
    stranger = await users.create()

    refused = await client.post(f"/api/v1/albums/{album}/links", json={}, headers=stranger.headers)

    assert refused.status_code == 404
    mine = await client.get("/api/v1/users/me/links", headers=stranger.headers)
    assert mine.json()["total"] == 0


async def test_unknown_albums_and_bad_policies_are_refused(
    client: httpx.AsyncClient, owner: Account, album: str
) -> None:
    for album_id in (str(PydanticObjectId()), "not-an-id"):
        missing = await client.post(
            f"/api/v1/albums/{album_id}/links", json={}, headers=owner.headers
        )
        assert missing.status_code == 404, album_id
    path = f"/api/v1/albums/{album}/links"
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    for body in (
        {"expires_at": past},
        {"expires_at": "2030-01-01T00:00:00"},  # no time zone
        {"password": "short"},
        {"password": "x" * 129},
        {"max_views": 0},
        {"max_views": 1_000_001},
        {"transformation": "e_grayscale"},
        {"photo_id": album},
    ):
        refused = await client.post(path, json=body, headers=owner.headers)
        assert refused.status_code == 422, body
    mine = await client.get("/api/v1/users/me/links", headers=owner.headers)
    assert mine.json()["total"] == 0


async def test_an_expired_album_link_is_gone(
    client: httpx.AsyncClient, owner: Account, album: str
) -> None:
    expires_at = utcnow() + timedelta(hours=1)
    link = await share(client, album, owner, expires_at=expires_at.isoformat())
    assert (await client.get(path_of(link["url"]))).status_code == 200
    with RECORDER.quiet():
        await collection(Link).update_one(
            {"_id": PydanticObjectId(link["id"])},
            {"$set": {"expires_at": utcnow() - timedelta(seconds=1)}},
        )

    gone = await client.get(path_of(link["url"]), headers={"Accept": "text/html"})

    assert gone.status_code == 410
    assert gone.headers["content-type"].startswith("text/html")
    assert read_page(gone.text).images == []


async def test_max_views_counts_page_views(
    client: httpx.AsyncClient, owner: Account, album: str
) -> None:
    link = await share(client, album, owner, max_views=2)

    answers = await asyncio.gather(*(client.get(path_of(link["url"])) for _ in range(10)))

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 200] + [410] * 8
    shown = [answer for answer in answers if answer.status_code == 200]
    assert all(len(read_page(answer.text).images) == 1 for answer in shown)
    counted = (await client.get(f"/api/v1/links/{link['id']}")).json()
    assert counted["views"] == 2
    assert counted["last_viewed_at"] is not None


async def test_a_password_link_asks_then_shows_the_page(
    client: httpx.AsyncClient, owner: Account, album: str, app: Any
) -> None:
    link = await share(client, album, owner, password=SECRET)
    assert link["has_password"] is True
    url = path_of(link["url"])

    asked = await client.get(url, headers={"Accept": "text/html"})
    assert asked.status_code == 401
    form = read_page(asked.text)
    assert form.images == []
    assert "Ridge" not in asked.text
    assert 'name="password"' in asked.text

    wrong = await client.post(url, data={"password": "not the secret"})
    assert wrong.status_code == 401
    assert not client.cookies

    right = await client.post(url, data={"password": SECRET})
    assert right.status_code == 303
    assert path_of(right.headers["location"]) == url
    assert client.cookies  # the proof, kept by the client's cookie jar

    page = await client.get(url)
    assert page.status_code == 200
    assert [img["alt"] for img in read_page(page.text).images] == ["Ridge"]

    # Anyone else (another browser: no cookie) is asked again.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as other:
        assert (await other.get(url)).status_code == 401
