"""The denylist and the login throttle against a real redis-server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from asgi_lifespan import LifespanManager
from redis.asyncio import Redis

from photoshare.app import create_app
from photoshare.config import Settings
from tests.factories import UserFactory


@pytest.fixture
async def redis_client(
    make_settings: Callable[..., Settings], redis_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    plain = Redis.from_url(redis_url)
    await plain.flushdb()
    await plain.aclose()
    app = create_app(make_settings(redis_url=redis_url))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
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
    statuses = [
        (
            await redis_client.post(
                "/api/v1/auth/login",
                data={"username": account.username, "password": "wrong password"},
            )
        ).status_code
        for _ in range(30)
    ]
    assert statuses[0] == 401 and statuses[-1] == 429
    redis = Redis.from_url(redis_url)
    try:
        count = await redis.get(f"login-fail:account:{account.username}")
        assert count is not None and int(count) >= 10
        assert await redis.ttl(f"login-fail:account:{account.username}") > 0
    finally:
        await redis.aclose()


async def test_readiness_reports_redis(redis_client: httpx.AsyncClient) -> None:
    ready = await redis_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["redis"] == "ok"


async def test_readiness_is_503_when_redis_is_down(make_settings: Callable[..., Settings]) -> None:
    from tests.servers import free_port

    app = create_app(make_settings(redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            ready = await http.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["redis"] == "down"


async def test_redis_outage_is_503_not_500(make_settings: Callable[..., Settings]) -> None:
    from tests.servers import free_port

    app = create_app(make_settings(redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
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
