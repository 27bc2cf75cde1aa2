"""`photoshare backfill-derivatives`: photos stored before display sizes get them, once."""

from __future__ import annotations

import io
from pathlib import Path

import blurhash
from PIL import Image

from photoshare.config import Settings
from photoshare.db import collection
from photoshare.photos.models import Photo
from tests.factories import PhotoFactory, UserFactory
from tests.index_coverage import RECORDER
from tests.media import samples
from tests.photos.test_photos import fetch
from tests.servers import photoshare, running_app


def _size_files(settings: Settings) -> list[Path]:
    return sorted((settings.data_dir / "media" / "photos").glob("*_*.webp"))


async def _store_without_sizes(settings: Settings, count: int) -> None:
    """Photos as an older PhotoShare stored them: no sizes, no placeholder, no size files."""
    async with running_app(settings) as client:
        owner = await UserFactory(client).create()
        for index in range(count):
            await PhotoFactory(client).upload(
                owner, samples.jpeg(900, 600, color=(200, 40 + index, 40))
            )
        with RECORDER.quiet():  # the test's own rewrite, not a query the service makes
            await collection(Photo).update_many({}, {"$unset": {"sizes": "", "placeholder": ""}})
    for path in _size_files(settings):
        path.unlink()


async def test_backfill_fills_photos_without_sizes_once(settings: Settings) -> None:
    await _store_without_sizes(settings, 3)
    async with running_app(settings) as client:
        before = (await client.get("/api/v1/photos")).json()["items"]
    assert [(p["sizes"], p["placeholder"]) for p in before] == [(None, None)] * 3

    filled = photoshare(settings.data_dir, "backfill-derivatives")
    assert filled.returncode == 0, filled.stderr
    assert "making display sizes and placeholders of 3 photos" in filled.stdout
    assert "3/3 (0 failed)" in filled.stdout
    assert "done: 3 photos given display sizes, 0 failed" in filled.stdout
    assert len(_size_files(settings)) == 6
    written = {path: path.stat().st_mtime_ns for path in _size_files(settings)}

    again = photoshare(settings.data_dir, "backfill-derivatives")
    assert again.returncode == 0, again.stderr
    assert "nothing to do" in again.stdout
    assert {path: path.stat().st_mtime_ns for path in _size_files(settings)} == written

    async with running_app(settings) as client:
        after = (await client.get("/api/v1/photos")).json()["items"]
        for photo in after:
            thumb = photo["sizes"]["thumb"]
            assert (thumb["width"], thumb["height"]) == (480, 320)
            served = await fetch(client, thumb["url"])
            assert served.headers["content-type"] == "image/webp"
            assert Image.open(io.BytesIO(served.content)).size == (480, 320)
            assert blurhash.components(photo["placeholder"]) == (4, 3)
    # The size files are the photos' own, neither orphans nor missing.
    report = photoshare(settings.data_dir, "check-storage", PHOTOSHARE_ORPHAN_GRACE_SECONDS="0")
    assert report.returncode == 0, report.stdout
    assert "unreferenced files older than 0 s: 0 (0 B)" in report.stdout


async def test_backfill_goes_on_past_a_photo_whose_file_is_missing(settings: Settings) -> None:
    await _store_without_sizes(settings, 2)
    async with running_app(settings) as client:
        lost = (await client.get("/api/v1/photos")).json()["items"][0]
    (settings.data_dir / "media" / str(lost["url"]).split("/media/", 1)[1]).unlink()

    partial = photoshare(settings.data_dir, "backfill-derivatives")
    assert partial.returncode == 1
    assert "done: 1 photos given display sizes, 1 failed" in partial.stdout
    assert "run the command again" in partial.stdout
    assert len(_size_files(settings)) == 2

    retried = photoshare(settings.data_dir, "backfill-derivatives")
    assert "making display sizes and placeholders of 1 photos" in retried.stdout
    assert retried.returncode == 1
