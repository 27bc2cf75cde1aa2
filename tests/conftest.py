"""Shared fixtures: a fresh app per test, on its own data dir, driven over ASGI."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from photoshare.app import create_app
from photoshare.config import Settings
from tests import index_coverage
from tests.factories import PhotoFactory, UserFactory
from tests.servers import redis_server


def pytest_configure(config: pytest.Config) -> None:
    index_coverage.install()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when any query issued during it is not served by a declared index."""
    uncovered = index_coverage.RECORDER.uncovered()
    if uncovered:
        lines = "\n".join(f"  {shape.describe()}" for shape in uncovered)
        print(f"\nQueries not served by any declared index:\n{lines}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting from the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("PHOTOSHARE_") or name == "CLOUDINARY_URL":
            monkeypatch.delenv(name)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": tmp_path / "data",
            # Cheap argon2 so the suite stays fast; production keeps the defaults.
            "argon2_time_cost": 1,
            "argon2_memory_kib": 64,
            "argon2_parallelism": 1,
            # Tests sign up many accounts from one address; the throttle's own tests set
            # their limit (tests/auth/test_throttling.py).
            "rate_limit_signups_per_hour": 10_000,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return build


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
def users(client: httpx.AsyncClient) -> UserFactory:
    return UserFactory(client)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server for the session; skipped only where it is not installed."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server); CI installs it")
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def photos(client: httpx.AsyncClient) -> PhotoFactory:
    return PhotoFactory(client)
