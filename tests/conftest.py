"""Shared fixtures: a fresh app per test, on its own data dir, driven over ASGI.

With ``PHOTOSHARE_TEST_MONGODB_URL`` set, each test's settings point at a throwaway
database on that server (tests/real_mongodb.py), except for the tests marked
``embedded_only`` (the embedded store's own files, journal and crash recovery).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from photoshare.app import create_app
from photoshare.config import Settings
from tests import index_coverage, real_mongodb
from tests.factories import PhotoFactory, UserFactory
from tests.servers import lifespan, redis_server

# Tests about the embedded store itself: they stay on it whatever the database of the run.
EMBEDDED_ONLY_PATHS = ("tests/embedded/", "tests/test_datadir.py")
# Replays what the rest of the run recorded, so it runs last.
RUNS_LAST = "tests/test_real_mongodb.py::test_every_recorded_query_uses_an_index_on_the_server"
# A run split over several pytest processes (dev.py): each earlier process saves its
# queries in the directory QUERIES_SAVED_TO names and checks nothing; the last pass, given
# the same directory in QUERIES_MERGED_FROM, reads them all first and checks the union.
QUERIES_SAVED_TO = "PHOTOSHARE_TEST_QUERIES_SAVED_TO"
QUERIES_MERGED_FROM = "PHOTOSHARE_TEST_QUERIES_MERGED_FROM"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "embedded_only: runs on the embedded store even when a MongoDB server is set"
    )
    index_coverage.install()
    if real_mongodb.URL is not None:
        index_coverage.listen_to_server(real_mongodb.RUN_PREFIX)
    merged_from = os.environ.get(QUERIES_MERGED_FROM)
    if merged_from and not index_coverage.RECORDER.merge(Path(merged_from)):
        raise pytest.UsageError(f"{QUERIES_MERGED_FROM}: no recorded queries in {merged_from}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(EMBEDDED_ONLY_PATHS):
            item.add_marker(pytest.mark.embedded_only)
    items.sort(key=lambda item: item.nodeid.startswith(RUNS_LAST))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when any query issued during it is not served by a declared index."""
    real_mongodb.DATABASES.drop_all()
    if saved_to := os.environ.get(QUERIES_SAVED_TO):
        index_coverage.RECORDER.save(Path(saved_to))
        return
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


@pytest.fixture(autouse=True)
def _test_databases(request: pytest.FixtureRequest) -> Iterator[None]:
    """On a MongoDB server, drop the databases this test opened once it is over."""
    databases = real_mongodb.DATABASES
    databases.embedded_only = request.node.get_closest_marker("embedded_only") is not None
    opened_before = len(databases.issued)
    yield
    if databases.active:
        databases.drop_issued_after(opened_before)
    databases.embedded_only = False


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
            # Likewise for writes per account; tests/test_rate_limits.py sets small ones.
            "rate_limit_comments_per_minute": 10_000,
            "rate_limit_uploads_per_hour": 10_000,
            "rate_limit_links_per_hour": 10_000,
        }
        # On a MongoDB server (tests/real_mongodb.py) the data dir's own database.
        values.update(
            real_mongodb.DATABASES.settings(overrides.get("data_dir", values["data_dir"]))
        )
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return build


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with lifespan(application):
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
