"""Index changes never brick a boot: missing indexes are built, conflicts are reported
and left for `photoshare check-indexes --apply`, which makes them as declared."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pymongo import ASCENDING, DESCENDING, IndexModel

from photoshare import commands
from photoshare.auth.models import RefreshToken
from photoshare.config import Settings
from photoshare.indexes import IndexesRefused
from photoshare.photos.models import Tag
from photoshare.users.models import User
from tests.servers import running_app


async def _index_information(settings: Settings, model: type[Tag] | type[RefreshToken]) -> dict:
    async with running_app(settings):
        return dict(await model.get_motor_collection().index_information())


def _redeclare(
    monkeypatch: pytest.MonkeyPatch, model: type, name: str, replacement: IndexModel
) -> None:
    """The declaration of ``name`` changed, as an edit of the Document would change it."""
    indexes = [
        replacement if index.document["name"] == name else index for index in model.Settings.indexes
    ]
    monkeypatch.setattr(model.Settings, "indexes", indexes)


MOST_USED_RENAMED_KEY = IndexModel(
    [("photos_count", DESCENDING), ("name", DESCENDING)], name="most_used"
)


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


async def test_a_changed_index_starts_with_a_warning_and_keeps_the_old_index(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_app(settings):
        pass  # a first start builds every declared index
    _redeclare(monkeypatch, Tag, "most_used", MOST_USED_RENAMED_KEY)
    with caplog.at_level(logging.WARNING, logger="photoshare.indexes"):
        async with running_app(settings) as client:
            assert (await client.get("/api/v1/tags")).status_code == 200
            assert (await client.get("/readyz")).status_code == 200
            kept = await Tag.get_motor_collection().index_information()
    [warning] = [
        r.getMessage()
        for r in caplog.records
        if r.name == "photoshare.indexes" and r.levelno >= logging.WARNING
    ]
    assert "photoshare check-indexes --apply" in warning
    assert "tags.most_used {photos_count: -1, name: -1}" in warning
    assert kept["most_used"]["key"] == [("photos_count", -1), ("name", 1)]


async def test_a_newly_declared_index_is_built_at_start_and_survives_a_restart(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_app(settings):
        pass
    added = IndexModel([("name", DESCENDING)], name="name_backwards")
    monkeypatch.setattr(Tag.Settings, "indexes", [*Tag.Settings.indexes, added])
    async with running_app(settings):
        pass
    # The embedded store journaled the build: a restart replays to the same set.
    built = await _index_information(settings, Tag)
    assert built["name_backwards"]["key"] == [("name", -1)]


async def test_a_start_names_the_indexes_no_longer_declared_and_keeps_them(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_app(settings):
        await Tag.get_motor_collection().create_index([("photos_count", ASCENDING)], name="stale")
    with caplog.at_level(logging.INFO, logger="photoshare.indexes"):
        kept = await _index_information(settings, Tag)
    assert "stale" in kept
    said = [r.getMessage() for r in caplog.records if r.name == "photoshare.indexes"]
    assert any(
        "no longer declared: tags.stale" in line and "check-indexes --apply" in line
        for line in said
    ), said


async def test_a_start_is_refused_while_a_unique_index_is_not_in_force(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_app(settings):
        pass
    stricter = IndexModel(
        [("email_key", ASCENDING), ("is_active", ASCENDING)], unique=True, name="email_key_unique"
    )
    _redeclare(monkeypatch, User, "email_key_unique", stricter)
    with pytest.raises(IndexesRefused, match=r"users\.email_key_unique.*check-indexes --apply"):
        async with running_app(settings):
            pass


async def test_check_indexes_reports_the_difference_and_apply_makes_it_as_declared(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_app(settings):
        await Tag.get_motor_collection().create_index([("photos_count", ASCENDING)], name="stale")
    _redeclare(monkeypatch, Tag, "most_used", MOST_USED_RENAMED_KEY)
    added = IndexModel([("name", DESCENDING)], name="name_backwards")
    monkeypatch.setattr(Tag.Settings, "indexes", [*Tag.Settings.indexes, added])

    report, as_declared = await commands.check_indexes(settings, apply=False)
    assert not as_declared
    assert report == [
        "conflicting  tags.most_used {photos_count: -1, name: -1}\n"
        "   existing  tags.most_used {photos_count: -1, name: 1}",
        "missing      tags.name_backwards {name: -1}",
        "extra        tags.stale {photos_count: 1}",
        "run `photoshare check-indexes --apply` to make them as declared",
    ]

    applied, as_declared = await commands.check_indexes(settings, apply=True)
    assert as_declared, applied
    assert applied[0].startswith("built        tags.name_backwards")  # new ones first
    assert applied[-1] == "indexes are as declared"
    assert (await commands.check_indexes(settings, apply=False)) == (
        ["indexes are as declared"],
        True,
    )
    final = await _index_information(settings, Tag)
    assert final["most_used"]["key"] == [("photos_count", -1), ("name", -1)]
    assert "stale" not in final


async def test_a_changed_ttl_is_applied(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_app(settings):
        pass
    _redeclare(
        monkeypatch,
        RefreshToken,
        "expires_ttl",
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=3600, name="expires_ttl"),
    )
    report, as_declared = await commands.check_indexes(settings, apply=False)
    assert not as_declared and "expireAfterSeconds=3600" in report[0]
    applied, as_declared = await commands.check_indexes(settings, apply=True)
    assert as_declared, applied
    assert (await _index_information(settings, RefreshToken))["expires_ttl"][
        "expireAfterSeconds"
    ] == 3600


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOSHARE_")}
    env["PHOTOSHARE_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "photoshare.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_command_exits_non_zero_while_indexes_differ(settings: Settings) -> None:
    async with running_app(settings):
        await Tag.get_motor_collection().create_index([("photos_count", ASCENDING)], name="stale")
    checked = _cli(settings.data_dir, "check-indexes")
    assert checked.returncode == 1, checked.stderr
    assert "extra        tags.stale {photos_count: 1}" in checked.stdout
    applied = _cli(settings.data_dir, "check-indexes", "--apply")
    assert applied.returncode == 0, applied.stderr
    assert "dropped      tags.stale {photos_count: 1}" in applied.stdout
    again = _cli(settings.data_dir, "check-indexes")
    assert (again.returncode, again.stdout) == (0, "indexes are as declared\n")
