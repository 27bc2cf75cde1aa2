"""The denylist and the login throttle against a real redis-server."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from photoshare.app import create_app
from photoshare.config import Settings
from tests.factories import UserFactory
from tests.servers import free_port, lifespan, running_app


@pytest.fixture
async def redis_client(
    make_settings: Callable[..., Settings], redis_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    plain = Redis.from_url(redis_url)
    await plain.flushdb()
    await plain.aclose()
    async with running_app(make_settings(redis_url=redis_url)) as http:
        yield http


async def test_logout_denylist_lives_in_redis_with_a_ttl(
    redis_client: httpx.AsyncClient, redis_url: str
) -> None:
    users = UserFactory(redis_client)
    account = await users.create()
    assert (
        await redis_client.post("/api/v1/auth/logout", headers=account.headers)
    ).status_code == 204
    assert (await redis_client.get("/api/v1/users/me", headers=account.headers)).status_code == 401

    redis = Redis.from_url(redis_url)
    try:
        keys = [key async for key in redis.scan_iter("revoked:jti:*")]
        assert len(keys) == 1
        ttl = await redis.ttl(keys[0])
        assert 0 < ttl <= 15 * 60 + 10
    finally:
        await redis.aclose()


async def test_login_throttle_in_redis(redis_client: httpx.AsyncClient, redis_url: str) -> None:
    users = UserFactory(redis_client)
    account = await users.signup()
    names = [account.username, account.email] * 22 + [account.username]
    answers = await asyncio.gather(
        *(
            redis_client.post("/api/v1/auth/login", data={"username": name, "password": "wrong"})
            for name in names
        )
    )
    assert Counter(answer.status_code for answer in answers) == {401: 10, 429: 35}
    redis = Redis.from_url(redis_url)
    try:
        # One counter for the account, whichever name was typed; it expires with the window.
        key = f"login-fail:account:user:{account.me['id']}"
        assert await redis.get(key) == b"10"
        assert 0 < await redis.ttl(key) <= 900
        assert [k async for k in redis.scan_iter("login-fail:account:*")] == [key.encode()]
    finally:
        await redis.aclose()


async def test_workers_sharing_redis_share_the_throttles(
    make_settings: Callable[..., Settings], redis_url: str, tmp_path: Path
) -> None:
    plain = Redis.from_url(redis_url)
    await plain.flushdb()
    await plain.aclose()
    limits = {"login_max_failures_per_account": 10, "rate_limit_signups_per_hour": 3}
    workers = [
        create_app(make_settings(redis_url=redis_url, data_dir=tmp_path / name, **limits))
        for name in ("one", "two")
    ]
    async with lifespan(workers[0]), lifespan(workers[1]):
        clients = [
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
            for app in workers
        ]
        form = {"username": "nobody", "password": "wrong"}
        logins = await asyncio.gather(
            *(clients[n % 2].post("/api/v1/auth/login", data=form) for n in range(45))
        )
        assert Counter(answer.status_code for answer in logins) == {401: 10, 429: 35}

        signups = []
        for n in range(5):
            body = {
                "username": f"worker{n}",
                "email": f"worker{n}@example.com",
                "password": "long enough",
            }
            signups.append(
                (await clients[n % 2].post("/api/v1/auth/signup", json=body)).status_code
            )
        assert signups == [201, 201, 201, 429, 429]
        for client in clients:
            await client.aclose()


async def test_readiness_reports_redis(redis_client: httpx.AsyncClient) -> None:
    ready = await redis_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["redis"] == "ok"


async def test_readiness_is_503_when_redis_is_down(make_settings: Callable[..., Settings]) -> None:
    async with running_app(make_settings(redis_url=f"redis://127.0.0.1:{free_port()}/0")) as http:
        ready = await http.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["redis"] == "down"


async def test_redis_outage_is_503_not_500(make_settings: Callable[..., Settings]) -> None:
    async with running_app(make_settings(redis_url=f"redis://127.0.0.1:{free_port()}/0")) as http:
        await http.post(
            "/api/v1/auth/signup",
            json={"username": "ann", "email": "ann@example.com", "password": "long enough"},
        )
        login = await http.post(
            "/api/v1/auth/login", data={"username": "ann", "password": "long enough"}
        )
    assert login.status_code == 503
    assert "try again" in login.json()["detail"]
    assert login.headers["x-request-id"]
