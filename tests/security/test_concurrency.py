"""Concurrency: many writers at once keep counts exact; a delete during a render is clean."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from photoshare.config import Settings
from photoshare.links import render_cache
from photoshare.photos.models import Photo, Tag
from tests.factories import PhotoFactory, UserFactory
from tests.media import samples
from tests.photos.test_photos import stored_files


async def test_fifty_concurrent_ratings_and_comments(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    raters = [await users.create() for _ in range(50)]
    photo = await photos.upload(owner)
    url = f"/api/v1/photos/{photo['id']}"
    ratings = await asyncio.gather(
        *(
            client.post(f"{url}/ratings", json={"stars": 1 + i % 5}, headers=r.headers)
            for i, r in enumerate(raters)
        )
    )
    comments = await asyncio.gather(
        *(
            client.post(f"{url}/comments", json={"text": f"c{i}"}, headers=r.headers)
            for i, r in enumerate(raters)
        )
    )
    assert {r.status_code for r in ratings} == {201}
    assert {c.status_code for c in comments} == {201}
    stored = await Photo.get(photo["id"])
    assert stored is not None
    assert stored.rating_count == len(stored.ratings) == 50
    assert stored.rating_sum == sum(1 + i % 5 for i in range(50)) == 150
    assert stored.rating_average == 3.0
    assert stored.comments_count == len(stored.comments) == 50
    assert len({c.id for c in stored.comments}) == 50


async def test_fifty_concurrent_uploads_create_one_tag(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    uploads = await asyncio.gather(
        *(photos.upload(owner, tags="brandnew, Other") for _ in range(50))
    )
    assert len(uploads) == 50
    tags = {t.name: t.photos_count for t in await Tag.find_all().to_list()}
    assert tags == {"brandnew": 50, "other": 50}
    await asyncio.gather(
        *(client.delete(f"/api/v1/photos/{p['id']}", headers=owner.headers) for p in uploads[:20])
    )
    tags = {t.name: t.photos_count for t in await Tag.find_all().to_list()}
    assert tags == {"brandnew": 30, "other": 30}


async def test_photo_deleted_while_its_render_runs(
    client: httpx.AsyncClient,
    users: UserFactory,
    photos: PhotoFactory,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner, samples.jpeg(900, 600))
    link = (
        await client.post(
            f"/api/v1/photos/{photo['id']}/links",
            json={"transformation": "c_fit,w_300/e_blur:200"},
            headers=owner.headers,
        )
    ).json()
    started = asyncio.Event()
    loop = asyncio.get_running_loop()
    real_render = render_cache.render

    def slow_render(*args: Any, **kwargs: Any) -> None:
        loop.call_soon_threadsafe(started.set)
        time.sleep(0.3)  # the delete lands in here
        real_render(*args, **kwargs)

    monkeypatch.setattr(render_cache, "render", slow_render)

    async def delete_when_rendering() -> httpx.Response:
        await started.wait()
        return await client.delete(f"/api/v1/photos/{photo['id']}", headers=owner.headers)

    image, deleted = await asyncio.gather(
        client.get(urlsplit(link["url"]).path), delete_when_rendering()
    )
    assert deleted.status_code == 204
    assert image.status_code in (200, 404)
    assert (await client.get(urlsplit(link["url"]).path)).status_code == 404
    assert stored_files(settings) == []
    assert _files_under(settings.data_dir / "renders") == []


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]
