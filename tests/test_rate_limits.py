"""Write rate limits per account over HTTP: comments, uploads and share links."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from photoshare.app import create_app
from photoshare.config import Settings
from tests.factories import Account, PhotoFactory, UserFactory
from tests.servers import lifespan, running_app


@pytest.fixture
async def limited(
    make_settings: Callable[..., Settings],
) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        rate_limit_comments_per_minute=5,
        rate_limit_uploads_per_hour=2,
        rate_limit_links_per_hour=2,
    )
    async with running_app(settings) as client:
        yield client


def comments_of(photo: dict[str, Any]) -> str:
    return f"/api/v1/photos/{photo['id']}/comments"


async def post_comment(
    client: httpx.AsyncClient, account: Account, photo: dict[str, Any], text: str = "nice"
) -> httpx.Response:
    return await client.post(comments_of(photo), json={"text": text}, headers=account.headers)


def assert_limited(response: httpx.Response, window: int, noun: str) -> None:
    assert response.status_code == 429, response.text
    assert noun in response.json()["detail"]
    assert window - 5 <= int(response.headers["retry-after"]) <= window


async def test_comments_per_minute(limited: httpx.AsyncClient) -> None:
    users, photos = UserFactory(limited), PhotoFactory(limited)
    owner, chatty = await users.create(), await users.create()
    photo = await photos.upload(owner)
    answers = [(await post_comment(limited, chatty, photo)).status_code for _ in range(5)]
    assert answers == [201] * 5

    refused = await post_comment(limited, chatty, photo)
    assert_limited(refused, 60, "comments")
    # The refusal created nothing; another account has its own quota.
    assert (await limited.get(comments_of(photo))).json()["total"] == 5
    assert (await post_comment(limited, owner, photo)).status_code == 201


async def test_twenty_concurrent_comments_against_five(limited: httpx.AsyncClient) -> None:
    users, photos = UserFactory(limited), PhotoFactory(limited)
    account = await users.create()
    photo = await photos.upload(account)
    answers = await asyncio.gather(
        *(post_comment(limited, account, photo, f"comment {n}") for n in range(20))
    )
    assert Counter(answer.status_code for answer in answers) == {201: 5, 429: 15}
    assert (await limited.get(comments_of(photo))).json()["total"] == 5


async def test_refused_input_does_not_count(limited: httpx.AsyncClient) -> None:
    users, photos = UserFactory(limited), PhotoFactory(limited)
    account = await users.create()
    photo = await photos.upload(account)
    for _ in range(8):
        invalid = await limited.post(comments_of(photo), json={"text": ""}, headers=account.headers)
        assert invalid.status_code == 422
    # Bad files are turned away inside the upload, after it was counted: they are given back.
    for _ in range(3):
        await photos.upload(account, b"not an image at all", filename="x.jpg", expect=415)
    await photos.upload(account)  # the second of two
    await photos.upload(account, expect=429)
    for n in range(5):
        assert (await post_comment(limited, account, photo, f"ok {n}")).status_code == 201


async def test_uploads_per_hour(limited: httpx.AsyncClient) -> None:
    users, photos = UserFactory(limited), PhotoFactory(limited)
    account = await users.create()
    await photos.upload(account)
    await photos.upload(account)
    refused = await limited.post(
        "/api/v1/photos",
        files={"file": ("late.jpg", b"whatever", "image/jpeg")},
        headers=account.headers,
    )
    assert_limited(refused, 3600, "uploads")
    listed = await limited.get(f"/api/v1/users/{account.username}/photos")
    assert listed.json()["total"] == 2


async def test_photo_and_album_links_share_one_hourly_limit(limited: httpx.AsyncClient) -> None:
    users, photos = UserFactory(limited), PhotoFactory(limited)
    account = await users.create()
    photo = await photos.upload(account)
    links = f"/api/v1/photos/{photo['id']}/links"
    grey = {"preset": "grayscale"}

    assert (await limited.post(links, json=grey, headers=account.headers)).status_code == 201
    # The existing link comes back (200) and a refused preset (422): neither counts.
    for _ in range(3):
        again = await limited.post(links, json=grey, headers=account.headers)
        assert again.status_code == 200
        nope = await limited.post(links, json={"preset": "nope"}, headers=account.headers)
        assert nope.status_code == 422
    album = await limited.post("/api/v1/albums", json={"title": "Trip"}, headers=account.headers)
    album_links = f"/api/v1/albums/{album.json()['id']}/links"
    assert (await limited.post(album_links, headers=account.headers)).status_code == 201

    assert_limited(await limited.post(album_links, headers=account.headers), 3600, "links")
    sepia = await limited.post(links, json={"preset": "sepia_poster"}, headers=account.headers)
    assert_limited(sepia, 3600, "links")
    mine = await limited.get(links)
    assert mine.json()["total"] == 1


async def test_admins_have_the_same_limits(limited: httpx.AsyncClient) -> None:
    users, photos = UserFactory(limited), PhotoFactory(limited)
    admin = await users.create()
    assert admin.me["role"] == "admin"
    photo = await photos.upload(admin)
    answers = [(await post_comment(limited, admin, photo)).status_code for _ in range(6)]
    assert answers == [201] * 5 + [429]


async def test_two_workers_share_the_count_in_redis(
    make_settings: Callable[..., Settings], redis_url: str, tmp_path: Path
) -> None:
    plain = Redis.from_url(redis_url)
    await plain.flushdb()
    shared = {
        "redis_url": redis_url,
        "secret_key": "rate-limit-test-secret-" + "k" * 32,
        "rate_limit_comments_per_minute": 4,
    }
    workers = [create_app(make_settings(data_dir=tmp_path / n, **shared)) for n in ("a", "b")]
    async with lifespan(workers[0]), lifespan(workers[1]):
        clients = [
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
            for app in workers
        ]
        account = await UserFactory(clients[0]).create()
        photo = await PhotoFactory(clients[0]).upload(account)
        answers = await asyncio.gather(
            *(post_comment(clients[n % 2], account, photo, f"from {n % 2}") for n in range(12))
        )
        assert Counter(answer.status_code for answer in answers) == {201: 4, 429: 8}
        # The counter in Redis is the truth both workers read.
        [key] = await plain.keys("writes:comment:*")
        assert int(await plain.get(key)) == 4
        for client in clients:
            await client.aclose()
    await plain.aclose()
