"""The embedded store behind the app: crash images replay exactly, unsaved writes are
refused, and data dirs of earlier versions (``mongo.json``, ``redis.json``) load."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from bson import json_util
from bson.json_util import JSONMode, JSONOptions
from fastapi import FastAPI

from photoshare import cli
from photoshare.app import create_app
from photoshare.config import Settings, get_settings
from tests.embedded.scenario import FAILED_LOGINS, find_every_kind, write_every_kind
from tests.factories import PhotoFactory, UserFactory
from tests.servers import lifespan


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
    app = create_app(settings)
    async with (
        lifespan(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        yield http, app


def crash_image(data_dir: Path, into: Path) -> Path:
    """The data dir as a process killed now would leave it (SQLite files and WAL as is)."""
    shutil.copytree(data_dir, into, ignore=shutil.ignore_patterns("*-shm"))
    return into


def documents(app: FastAPI) -> dict[str, list[dict[str, Any]]]:
    database = app.state.runtime.db.database.delegate
    return {name: list(database[name].find({})) for name in database.list_collection_names()}


async def keys(app: FastAPI) -> dict[bytes, tuple[bytes, int]]:
    redis = app.state.runtime.kv.redis
    return {key: (await redis.get(key), await redis.pexpiretime(key)) for key in await redis.keys()}


async def test_a_crash_image_replays_to_exactly_the_same_store(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    throttle = {"login_max_failures_per_account": FAILED_LOGINS}
    settings = make_settings(**throttle)
    async with serving(settings) as (http, app):
        written = await write_every_kind(http)
        expected = documents(app), await keys(app)
        image = crash_image(settings.data_dir, tmp_path / "image")

    async with serving(make_settings(data_dir=image, **throttle)) as (http, app):
        assert documents(app) == expected[0]
        assert await keys(app) == expected[1]
        await find_every_kind(http, written)


async def test_a_write_the_journal_cannot_take_is_refused_and_not_made(
    app: FastAPI,
    client: httpx.AsyncClient,
    users: UserFactory,
    photos: PhotoFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner)
    runtime = app.state.runtime
    runtime.db.journal.file.close()  # as if the disk had gone away
    comment = await client.post(
        f"/api/v1/photos/{photo['id']}/comments", json={"text": "lost"}, headers=owner.headers
    )
    assert comment.status_code == 503
    assert comment.json()["detail"].startswith("The change could not be saved and was not made")
    assert (await client.get(f"/api/v1/photos/{photo['id']}")).json()["comments_count"] == 0
    assert (await client.get(f"/api/v1/photos/{photo['id']}/comments")).json()["total"] == 0

    runtime.kv.redis._file.close()
    assert (await client.post("/api/v1/auth/logout", headers=owner.headers)).status_code == 503
    assert (await client.get("/api/v1/users/me", headers=owner.headers)).status_code == 200
    assert "could not write its journal" in caplog.text


def write_old_data_dir(
    into: Path, collections: dict[str, list[dict[str, Any]]], keys: dict[bytes, Any]
) -> None:
    """A data dir as versions before the journal left it: two JSON snapshots."""
    options = JSONOptions(json_mode=JSONMode.CANONICAL, tz_aware=True)
    (into / "mongo.json").write_text(json_util.dumps(collections, json_options=options))
    old_keys = {key.decode(): [value.decode(), ttl] for key, (value, ttl) in keys.items()}
    (into / "redis.json").write_text(json_util.dumps(old_keys))


async def test_a_data_dir_of_the_json_snapshots_is_migrated_on_first_start(
    make_settings: Callable[..., Settings], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = make_settings()
    async with serving(first) as (http, app):
        veteran = await UserFactory(http).create("veteran")
        photo = await PhotoFactory(http).upload(veteran, description="from before")
        logged_out = veteran.headers
        await http.post("/api/v1/auth/logout", headers=logged_out)
        redis = app.state.runtime.kv.redis
        ttls = {key: (await redis.get(key), await redis.pttl(key)) for key in await redis.keys()}
        old = tmp_path / "old"
        shutil.copytree(first.data_dir, old, ignore=shutil.ignore_patterns("*.sqlite3*"))
        write_old_data_dir(old, documents(app), ttls)

    caplog.set_level(logging.INFO)
    for start in ("migrating", "migrated"):
        async with serving(make_settings(data_dir=old)) as (http, _):
            assert (await http.get("/api/v1/users/me", headers=logged_out)).status_code == 401
            await UserFactory(http).login(veteran)
            shown = (await http.get(f"/api/v1/photos/{photo['id']}")).json()
            assert shown["description"] == "from before", start
        assert not (old / "mongo.json").exists()
        assert not (old / "redis.json").exists()
    assert (old / "mongo.json.migrated").exists()
    assert (old / "redis.json.migrated").exists()
    assert "migrated" in caplog.text and "mongo.json.migrated" in caplog.text


async def test_export_json_writes_the_store_while_the_server_runs_and_after(
    make_settings: Callable[..., Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    settings = make_settings()
    monkeypatch.setenv("PHOTOSHARE_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    request.addfinalizer(get_settings.cache_clear)
    exported = tmp_path / "export.json"
    async with serving(settings) as (http, _):
        author = await UserFactory(http).create("exporter")
        photo = await PhotoFactory(http).upload(author, description="exported")
        comment = {"text": "in the journal"}
        await http.post(
            f"/api/v1/photos/{photo['id']}/comments", json=comment, headers=author.headers
        )
        assert cli.main(["export-json", "--output", str(exported)]) == 0
    running = json_util.loads(exported.read_text())
    assert [user["username"] for user in running["users"]] == ["exporter"]
    [stored] = running["photos"]
    assert (stored["description"], stored["comments"][0]["text"]) == ("exported", "in the journal")

    assert cli.main(["export-json"]) == 0  # stopped: from the compacted snapshot, to stdout
    assert json_util.loads(capsys.readouterr().out) == running
