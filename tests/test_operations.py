"""Production safety and operations: configuration refusals, proxies, headers, logs."""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Callable

import httpx
import pytest

from photoshare.app import create_app
from photoshare.config import ConfigurationError, Settings
from photoshare.deps import forwarded_client
from photoshare.logs import JsonFormatter
from tests.factories import UserFactory
from tests.servers import lifespan

REAL_DB = {"mongodb_url": "mongodb://127.0.0.1:1", "secret_key": "s" * 48}


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({**REAL_DB}, "PHOTOSHARE_PUBLIC_BASE_URL"),
        ({**REAL_DB, "public_base_url": "https://p.example", "cors_origins": ["*"]}, "CORS"),
        (
            {**REAL_DB, "public_base_url": "https://p.example", "trusted_proxies": ["nope"]},
            "PROXIES",
        ),
    ],
)
def test_unsafe_production_configuration_is_refused(
    make_settings: Callable[..., Settings], overrides: dict[str, object], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        create_app(make_settings(**overrides))


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    proxies = [ipaddress.ip_network("10.0.0.0/8")]
    assert forwarded_client("10.0.0.5", "203.0.113.7", proxies) == "203.0.113.7"
    # A client cannot spoof its address by sending the header itself...
    assert forwarded_client("198.51.100.9", "203.0.113.7", proxies) == "198.51.100.9"
    # ...nor by prepending a fake hop in front of a trusted proxy chain.
    assert forwarded_client("10.0.0.5", "1.2.3.4, 203.0.113.7, 10.0.0.6", proxies) == "203.0.113.7"
    assert forwarded_client("10.0.0.5", "203.0.113.7", []) == "10.0.0.5"


async def test_throttle_counts_the_forwarded_client(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(
        trusted_proxies=["127.0.0.1"],
        login_max_failures_per_address=3,
        login_max_failures_per_account=100,
    )
    app = create_app(settings)
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            account = await UserFactory(client).signup()
            form = {"username": account.username, "password": "wrong password"}

            async def attempt(address: str) -> int:
                response = await client.post(
                    "/api/v1/auth/login", data=form, headers={"X-Forwarded-For": address}
                )
                return response.status_code

            assert [await attempt("203.0.113.1") for _ in range(4)] == [401, 401, 401, 429]
            # Another client behind the same proxy is not locked out.
            assert await attempt("203.0.113.2") == 401


async def test_headers_request_id_and_csp(client: httpx.AsyncClient) -> None:
    album = await client.get("/")
    assert album.status_code == 200
    assert "default-src 'self'" in album.headers["content-security-policy"]
    assert album.headers["x-content-type-options"] == "nosniff"
    assert len(album.headers["x-request-id"]) == 32
    api = await client.get("/healthz", headers={"X-Request-ID": "trace-abc-123"})
    assert api.headers["x-request-id"] == "trace-abc-123"
    assert "content-security-policy" not in api.headers
    bogus = await client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"[:8]})
    assert bogus.headers["x-request-id"] != "bad id\nw"
    assert "content-security-policy" not in (await client.get("/docs")).headers


async def test_cors_allows_only_configured_origins(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(cors_origins=["https://album.example"]))
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            allowed = await client.get("/healthz", headers={"Origin": "https://album.example"})
            assert allowed.headers["access-control-allow-origin"] == "https://album.example"
            other = await client.get("/healthz", headers={"Origin": "https://evil.example"})
            assert "access-control-allow-origin" not in other.headers


def test_json_log_lines_carry_the_request_id() -> None:
    from photoshare.logs import request_id

    token = request_id.set("req-42")
    try:
        record = logging.LogRecord(
            "photoshare", logging.INFO, __file__, 1, "hello %s", ("you",), None
        )
        record.request_id = request_id.get()
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["request_id"] == "req-42"
    assert line["message"] == "hello you"
    assert line["level"] == "INFO"
