"""The MongoDB client: options from settings, and a stalled server is 503, never a hang."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI

from photoshare import db
from photoshare.config import Settings
from photoshare.runtime import Runtime


async def _never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await reader.read()  # hold the connection open, read what comes, answer nothing
    finally:
        writer.close()


@pytest.fixture
async def stalled_url() -> AsyncIterator[str]:
    """A server on 127.0.0.1 that accepts connections and never says a word."""
    server = await asyncio.start_server(_never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"mongodb://127.0.0.1:{port}/?directConnection=true"
    finally:
        server.close()


def test_the_client_is_built_with_the_configured_options(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(
        mongodb_url="mongodb://127.0.0.1:1",
        mongodb_timeout_ms=7_000,
        mongodb_max_pool_size=40,
        mongodb_min_pool_size=2,
        mongodb_appname="photoshare-eu",
    )
    client = db.server_client(settings)
    try:
        options = client.options
        assert options.timeout == 7.0
        assert options.pool_options.max_pool_size == 40
        assert options.pool_options.min_pool_size == 2
        assert options.pool_options.metadata["application"] == {"name": "photoshare-eu"}
        assert client.codec_options.tz_aware
    finally:
        client.close()


def test_the_defaults_bound_every_operation(make_settings: Callable[..., Settings]) -> None:
    client = db.server_client(make_settings(mongodb_url="mongodb://127.0.0.1:1"))
    try:
        assert client.options.timeout == 10.0
        assert client.options.pool_options.max_pool_size == 100
        assert client.options.pool_options.metadata["application"] == {"name": "photoshare"}
    finally:
        client.close()


async def test_readyz_answers_503_within_its_deadline_when_the_database_stalls(
    make_settings: Callable[..., Settings],
    stalled_url: str,
    app: FastAPI,
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime: Runtime = app.state.runtime
    monkeypatch.setattr(runtime.settings, "readiness_timeout_seconds", 0.5)
    # The operation alone would wait 60 s: the readiness deadline is what answers.
    stalled = db.server_client(make_settings(mongodb_url=stalled_url, mongodb_timeout_ms=60_000))
    monkeypatch.setattr(runtime.db, "database", stalled["photoshare"])
    try:
        async with asyncio.timeout(30):
            response = await client.get("/readyz")
    finally:
        stalled.close()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down", "redis": "ok"}


async def test_a_request_on_a_stalled_database_is_503_not_a_hang(
    make_settings: Callable[..., Settings],
    stalled_url: str,
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stalled = db.server_client(make_settings(mongodb_url=stalled_url, mongodb_timeout_ms=1_000))
    monkeypatch.setattr(db, "collection", lambda model: stalled["photoshare"]["tags"])
    try:
        async with asyncio.timeout(30):
            response = await client.get("/api/v1/tags")
    finally:
        stalled.close()
    assert response.status_code == 503
    assert response.json() == {"detail": "The database is not answering; try again shortly"}
