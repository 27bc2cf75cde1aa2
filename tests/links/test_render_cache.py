"""Link images over HTTP: bounded before rendering, time-limited, on workers of their own."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from beanie import PydanticObjectId
from PIL import Image

from photoshare.config import Settings
from photoshare.links.deadlines import RenderTimedOut
from photoshare.links.models import Link
from photoshare.links.renderer import render
from photoshare.links.transformations import MAX_SIDE, canonical, parse
from tests.factories import Account, PhotoFactory, UserFactory
from tests.links.test_links import fetch
from tests.media import samples
from tests.servers import running_app

ISSUE_CHAIN = "c_scale,w_4000,h_4000/a_45/a_45/a_45/a_45/a_45/a_45"
# Seconds of work anywhere: a 12-megapixel image blurred twice with a 100 px wide kernel.
ENDLESS = "c_scale,w_{width},h_3000/e_blur:2000/e_blur:2000"


async def new_link(
    client: httpx.AsyncClient, owner: Account, photo_id: object, transformation: str
) -> str:
    response = await client.post(
        f"/api/v1/photos/{photo_id}/links",
        json={"transformation": transformation},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["url"])


def cached_files(settings: Settings) -> list[Path]:
    renders = settings.data_dir / "renders"
    return [path for path in renders.rglob("*") if path.is_file()] if renders.exists() else []


@pytest.fixture(scope="module")
def large_jpeg() -> bytes:
    return samples.jpeg(4000, 3000)


async def test_the_rotation_chain_is_refused_while_one_turn_of_a_large_photo_renders(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, large_jpeg: bytes
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner, large_jpeg)
    url = f"/api/v1/photos/{photo['id']}/links"

    chain = await client.post(url, json={"transformation": ISSUE_CHAIN}, headers=owner.headers)
    assert chain.status_code == 422
    assert "operation 2 (a_45)" in chain.json()["detail"]
    assert "5657x5657" in chain.json()["detail"]
    as_json = await client.post(
        url,
        json={
            "transformation": [
                {"op": "resize", "width": 4000, "height": 4000},
                {"op": "rotate", "angle": 45},
            ]
        },
        headers=owner.headers,
    )
    assert as_json.status_code == 422
    assert "operation 2 (a_45)" in as_json.json()["detail"]
    assert await Link.count() == 0
    catalogue = (await client.get("/api/v1/transformations")).json()
    assert (catalogue["max_side"], catalogue["max_pixels"]) == (4000, 16_800_000)

    one_turn = await new_link(client, owner, photo["id"], "a_45")
    image = await fetch(client, one_turn)
    assert image.status_code == 200
    width, height = Image.open(io.BytesIO(image.content)).size
    # Rendered from a copy scaled down just enough: as large as the bounds allow.
    assert 3990 <= width <= MAX_SIDE
    assert 3990 <= height <= MAX_SIDE


async def test_a_link_stored_before_the_bounds_answers_422_not_500(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, settings: Settings
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner, samples.jpeg(400, 300))
    # Written straight to the database, as a link made by an earlier version was.
    old = Link(
        photo_id=PydanticObjectId(str(photo["id"])),
        transformation=canonical(parse(ISSUE_CHAIN)),
        slug="oldchain23",
        created_by=PydanticObjectId(str(owner.me["id"])),
    )
    await old.insert()
    response = await client.get("/s/oldchain23")
    assert response.status_code == 422
    assert "operation 2 (a_45)" in response.json()["detail"]
    assert cached_files(settings) == []


async def test_a_render_past_the_time_limit_answers_503_and_caches_nothing(
    make_settings: Callable[..., Settings],
) -> None:
    hurried = make_settings(render_timeout_seconds=0.01)
    async with running_app(hurried) as client:
        owner = await UserFactory(client).create()
        photo = await PhotoFactory(client).upload(owner, samples.jpeg(1000, 750))
        link = await new_link(client, owner, photo["id"], "c_scale,w_2000,h_1500/e_blur:400")
        for _ in range(2):
            stopped = await fetch(client, link)
            assert stopped.status_code == 503
            assert "0.01 s limit" in stopped.json()["detail"]
            assert int(stopped.headers["retry-after"]) >= 1
            assert cached_files(hurried) == []

    # The same data, served with the default limit: the next request renders the image.
    async with running_app(make_settings()) as client:
        image = await fetch(client, link)
        assert image.status_code == 200
        assert Image.open(io.BytesIO(image.content)).size == (2000, 1500)
        assert len(cached_files(hurried)) == 1


async def test_uploads_proceed_while_every_render_worker_is_busy(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(render_workers=1, image_workers=1, render_timeout_seconds=4)
    async with running_app(settings) as client:
        owner = await UserFactory(client).create()
        photos = PhotoFactory(client)
        photo = await photos.upload(owner, samples.jpeg(1000, 750))
        links = [
            await new_link(client, owner, photo["id"], ENDLESS.format(width=width))
            for width in (4000, 3999, 3998)
        ]
        renders = [asyncio.create_task(fetch(client, link)) for link in links]
        # The one render worker has started (its partial file exists); two renders wait.
        while not any(settings.temp_dir.glob("*.render.jpg")):
            assert not any(task.done() for task in renders)
            await asyncio.sleep(0.02)

        uploaded = await photos.upload(owner, samples.jpeg(800, 600))
        assert uploaded["width"] == 800
        assert not any(task.done() for task in renders)

        answers = await asyncio.gather(*renders)
        assert [answer.status_code for answer in answers] == [503, 503, 503]
        assert all("retry-after" in answer.headers for answer in answers)
        assert cached_files(settings) == []
        assert not any(settings.temp_dir.iterdir())


def test_a_render_past_its_time_limit_stops_and_leaves_no_file(tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    source.write_bytes(samples.jpeg(1000, 750))
    target = tmp_path / "out.jpg"
    with pytest.raises(RenderTimedOut):
        render(
            source, parse(ENDLESS.format(width=4000)), target, source_format="jpeg", time_limit=0.2
        )
    assert not target.exists()
    render(source, parse("c_scale,w_100/e_blur"), target, source_format="jpeg", time_limit=60)
    assert Image.open(target).size == (100, 75)
