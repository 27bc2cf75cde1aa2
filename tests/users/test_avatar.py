"""Avatars: replacing one, even many times at once, keeps exactly the file in use."""

from __future__ import annotations

import asyncio
import io
from urllib.parse import urlsplit

import httpx
from PIL import Image

from photoshare.config import Settings
from tests.factories import UserFactory
from tests.media import samples


async def test_parallel_avatar_uploads_leave_only_the_referenced_file(
    client: httpx.AsyncClient, users: UserFactory, settings: Settings
) -> None:
    account = await users.create()
    colors = [
        (200, 40, 40),
        (40, 200, 40),
        (40, 40, 200),
        (200, 200, 40),
        (40, 200, 200),
        (9, 9, 9),
    ]

    async def upload(color: tuple[int, int, int]) -> httpx.Response:
        return await client.put(
            "/api/v1/users/me/avatar",
            files={"file": ("me.jpg", samples.jpeg(600, 400, color), "image/jpeg")},
            headers=account.headers,
        )

    responses = await asyncio.gather(*(upload(color) for color in colors))
    assert [r.status_code for r in responses] == [200] * 6
    urls = {r.json()["avatar_url"] for r in responses}
    assert len(urls) == 6

    me = (await client.get("/api/v1/users/me", headers=account.headers)).json()
    kept = me["avatar_url"]
    assert kept in urls
    avatars = sorted((settings.data_dir / "media" / "avatars").iterdir())
    assert [f"/media/avatars/{path.name}" for path in avatars] == [urlsplit(kept).path]
    assert not any((settings.data_dir / "tmp").iterdir())
    served = await client.get(urlsplit(kept).path)
    assert served.status_code == 200
    assert Image.open(io.BytesIO(served.content)).size == (400, 400)
    for replaced in urls - {kept}:
        assert (await client.get(urlsplit(replaced).path)).status_code == 404


async def test_a_phone_photo_avatar_is_an_upright_square(
    client: httpx.AsyncClient, users: UserFactory, settings: Settings
) -> None:
    """A 4032x3024 portrait shot (EXIF orientation 6) is turned, then cropped to a square.

    Upright, its left half is red and its right half blue: any square crop of the portrait
    keeps both; the file's own pixels have red on top and blue below.
    """
    account = await users.create()
    photo = samples.camera_jpeg(4032, 3024, orientation=6, upright=samples.halves)
    response = await client.put(
        "/api/v1/users/me/avatar",
        files={"file": ("IMG_0001.JPG", photo, "image/jpeg")},
        headers=account.headers,
    )
    assert response.status_code == 200, response.text
    served = await client.get(urlsplit(response.json()["avatar_url"]).path)
    avatar = Image.open(io.BytesIO(served.content)).convert("RGB")
    side = settings.avatar_size
    assert avatar.size == (side, side)
    assert samples.corner_colors(avatar) == ("red", "blue", "red", "blue")
