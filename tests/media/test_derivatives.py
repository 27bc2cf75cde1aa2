"""Display sizes and placeholders, made at upload: seen through the API and its files."""

from __future__ import annotations

import io
from pathlib import Path

import blurhash
import httpx
import pytest
from fastapi import FastAPI
from PIL import Image
from pymongo.errors import AutoReconnect

from photoshare.config import Settings
from photoshare.errors import ServiceUnavailable
from photoshare.photos.models import Photo
from tests.factories import PhotoFactory, UserFactory
from tests.media import samples
from tests.photos.test_photos import fetch, stored_files


@pytest.fixture(scope="module")
def phone_portrait() -> bytes:
    """A 4032x3024 camera JPEG with EXIF orientation 6: upright, left half red, right blue."""
    return samples.camera_jpeg(4032, 3024, orientation=6, upright=samples.halves)


async def _served_size(client: httpx.AsyncClient, size: dict[str, object]) -> Image.Image:
    served = await fetch(client, str(size["url"]))
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"
    image = Image.open(io.BytesIO(served.content))
    assert image.format == "WEBP"
    assert image.size == (size["width"], size["height"])
    return image


async def test_a_phone_photo_gets_upright_webp_sizes_and_a_placeholder(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, phone_portrait: bytes
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner, phone_portrait)
    assert (photo["width"], photo["height"]) == (3024, 4032)
    sizes = photo["sizes"]
    assert isinstance(sizes, dict)
    assert (sizes["thumb"]["width"], sizes["thumb"]["height"]) == (360, 480)
    assert (sizes["preview"]["width"], sizes["preview"]["height"]) == (1200, 1600)
    for name in ("thumb", "preview"):
        image = await _served_size(client, sizes[name])
        # Upright: the red half is on the left, as the camera's orientation tag said.
        assert samples.corner_colors(image) == ("red", "blue", "red", "blue")

    placeholder = str(photo["placeholder"])
    assert blurhash.components(placeholder) == (4, 3)
    decoded = blurhash.decode(placeholder, 8, 6)
    assert samples.color_name(decoded[3][0]) == "red"
    assert samples.color_name(decoded[3][7]) == "blue"

    got = await client.get(f"/api/v1/photos/{photo['id']}")
    assert got.json()["sizes"] == sizes and got.json()["placeholder"] == placeholder
    listed = (await client.get("/api/v1/photos")).json()["items"]
    assert listed[0]["sizes"] == sizes


async def test_a_small_photo_is_never_upscaled(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner, samples.png(300, 200), filename="small.png")
    assert photo["format"] == "png"
    sizes = photo["sizes"]
    assert isinstance(sizes, dict)
    for name in ("thumb", "preview"):
        assert (sizes[name]["width"], sizes[name]["height"]) == (300, 200)
        await _served_size(client, sizes[name])
    # The PNG is flat (0, 128, 255): so is its placeholder, up to BlurHash rounding.
    for row in blurhash.decode(str(photo["placeholder"]), 4, 3):
        for pixel in row:
            assert all(
                abs(got - want) <= 16 for got, want in zip(pixel, (0, 128, 255), strict=True)
            )


async def test_a_mid_size_photo_gets_a_smaller_thumb_and_its_own_size_as_preview(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner, samples.jpeg(1000, 600))
    sizes = photo["sizes"]
    assert isinstance(sizes, dict)
    assert (sizes["thumb"]["width"], sizes["thumb"]["height"]) == (480, 288)
    assert (sizes["preview"]["width"], sizes["preview"]["height"]) == (1000, 600)


async def test_deleting_a_photo_removes_its_sizes(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, settings: Settings
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner, samples.jpeg(800, 600))
    assert sorted(p.name.split("_")[-1] for p in stored_files(settings)) == [
        f"{Path(str(photo['url'])).name.split('.')[0]}.jpg",
        "preview.webp",
        "thumb.webp",
    ]
    deleted = await client.delete(f"/api/v1/photos/{photo['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    sizes = photo["sizes"]
    assert isinstance(sizes, dict)
    for name in ("thumb", "preview"):
        assert (await fetch(client, str(sizes[name]["url"]))).status_code == 404
    assert stored_files(settings) == []


async def test_a_size_that_cannot_be_stored_fails_the_upload_and_leaves_nothing(
    monkeypatch: pytest.MonkeyPatch,
    app: FastAPI,
    client: httpx.AsyncClient,
    users: UserFactory,
    photos: PhotoFactory,
    settings: Settings,
) -> None:
    storage = app.state.runtime.storage
    save = storage.save

    async def full_disk_for_sizes(key: str, source: Path, content_type: str) -> None:
        if key.endswith("_thumb.webp"):
            raise ServiceUnavailable("The image store is full; try again")
        await save(key, source, content_type)

    monkeypatch.setattr(storage, "save", full_disk_for_sizes)
    owner = await users.create()
    error = await photos.upload(owner, samples.jpeg(900, 700), expect=503)
    assert "try again" in str(error["detail"])
    assert (await client.get("/api/v1/photos")).json()["total"] == 0
    assert stored_files(settings) == []


async def test_a_database_failure_after_the_sizes_leaves_no_file(
    users: UserFactory, photos: PhotoFactory, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await users.create()

    async def failing_insert(self: Photo, **_: object) -> None:
        raise AutoReconnect("connection reset")

    monkeypatch.setattr(Photo, "insert", failing_insert)
    await photos.upload(owner, samples.jpeg(900, 700), expect=503)
    assert stored_files(settings) == []
