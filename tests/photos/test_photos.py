"""Photos over HTTP on local storage: upload, serve, edit, delete, permissions."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from mongomock_motor import AsyncMongoMockCollection
from PIL import Image, ImageCms

from photoshare.app import create_app
from photoshare.config import Settings
from photoshare.photos.models import Photo, Tag
from tests.factories import PhotoFactory, UserFactory
from tests.media import samples
from tests.servers import lifespan


def stored_files(settings: Settings) -> list[Path]:
    """Every file the service keeps for images, temp files included."""
    roots = [settings.data_dir / "media", settings.data_dir / "tmp"]
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


async def fetch(client: httpx.AsyncClient, url: str, **kwargs: object) -> httpx.Response:
    """GET an absolute URL the API returned, through the app under test."""
    return await client.get(urlsplit(url).path, **kwargs)  # type: ignore[arg-type]


async def test_upload_get_edit_delete(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, settings: Settings
) -> None:
    owner = await users.create()
    photo = await photos.upload(
        owner, samples.jpeg_sideways_with_gps(), description="Red and blue", tags="Sea, sea ,SUNSET"
    )
    assert photo["tags"] == ["sea", "sunset"]
    assert photo["owner"] == {"username": owner.username, "avatar_url": None}
    assert (photo["width"], photo["height"], photo["format"]) == (200, 400, "jpeg")
    assert photo["rating"] == {"average": 0.0, "count": 0}
    assert photo["comments_count"] == 0
    assert str(photo["url"]).startswith("http://127.0.0.1:8000/media/photos/")

    served = await fetch(client, str(photo["url"]))
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert "immutable" in served.headers["cache-control"]
    assert served.headers["x-content-type-options"] == "nosniff"
    assert int(str(photo["bytes"])) == len(served.content)
    image = Image.open(io.BytesIO(served.content))
    assert image.size == (200, 400)
    exif = image.getexif()
    assert 0x8825 not in exif and 0x010F not in exif and 0x0112 not in exif
    assert b"Canon" not in served.content
    # Upright: the blue quarter that was top-left before the 90° turn is now top-right.
    red, _, blue = image.convert("RGB").getpixel((180, 20))  # type: ignore[misc]
    assert blue > 150 and red < 100
    red, _, blue = image.convert("RGB").getpixel((20, 380))  # type: ignore[misc]
    assert red > 150 and blue < 100

    cached = await fetch(
        client, str(photo["url"]), headers={"If-None-Match": served.headers["etag"]}
    )
    assert cached.status_code == 304

    got = await client.get(f"/api/v1/photos/{photo['id']}", headers=owner.headers)
    assert got.status_code == 200
    assert got.json() == photo

    edited = await client.put(
        f"/api/v1/photos/{photo['id']}",
        json={"description": "Edited", "tags": ["Dunes"]},
        headers=owner.headers,
    )
    assert edited.status_code == 200
    assert edited.json()["description"] == "Edited"
    assert edited.json()["tags"] == ["dunes"]
    assert edited.json()["updated_at"] > photo["updated_at"]
    assert edited.json()["created_at"] == photo["created_at"]

    only_description = await client.put(
        f"/api/v1/photos/{photo['id']}", json={"description": "Again"}, headers=owner.headers
    )
    assert only_description.json()["tags"] == ["dunes"]

    deleted = await client.delete(f"/api/v1/photos/{photo['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    assert (await client.get(f"/api/v1/photos/{photo['id']}")).status_code == 404
    assert (await fetch(client, str(photo["url"]))).status_code == 404
    assert stored_files(settings) == []


async def test_an_embedded_icc_profile_is_applied_and_replaced(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    """A valid profile can carry anything in its tags; it is never stored as uploaded.

    Found by tests/security/test_upload_attacks.py: the profile was kept byte for byte,
    so HTML in a private tag reached the stored file.
    """
    owner = await users.create()
    uploaded = samples.srgb_profile_carrying(b"<html><script>alert(1)</script></html>")
    photo = await photos.upload(owner, samples.jpeg_with_icc(uploaded))
    served = await fetch(client, str(photo["url"]))
    assert b"<script" not in served.content
    image = Image.open(io.BytesIO(served.content))
    kept = image.info["icc_profile"]
    assert kept != uploaded
    assert ImageCms.ImageCmsProfile(io.BytesIO(kept)).profile.profile_description == "sRGB"
    red, green, blue = image.convert("RGB").getpixel((10, 10))  # type: ignore[misc]
    assert red > 180 and green < 70 and blue < 70


@pytest.mark.parametrize(
    ("content", "stored_format", "content_type"),
    [
        (samples.png(alpha=True), "png", "image/png"),
        (samples.gif(frames=3), "png", "image/png"),
        (samples.webp(), "webp", "image/webp"),
        (samples.avif(), "avif", "image/avif"),
    ],
)
async def test_other_formats_are_stored_for_browsers(
    client: httpx.AsyncClient,
    users: UserFactory,
    photos: PhotoFactory,
    content: bytes,
    stored_format: str,
    content_type: str,
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner, content, filename="upload.bin")
    assert photo["format"] == stored_format
    served = await fetch(client, str(photo["url"]))
    assert served.headers["content-type"] == content_type
    assert Image.open(io.BytesIO(served.content)).size == (photo["width"], photo["height"])


async def test_tags_are_normalised_and_counted(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    repeated = await photos.upload(owner, tags=["Beach", "sea, Sky"])
    assert repeated["tags"] == ["beach", "sea", "sky"]
    second = await photos.upload(owner, tags="sea")
    assert await Tag.find(Tag.name == "sea").count() == 1
    listed = (await client.get("/api/v1/tags")).json()
    assert listed["items"][0] == {"name": "sea", "photos_count": 2}
    assert listed["total"] == 3

    await client.delete(f"/api/v1/photos/{second['id']}", headers=owner.headers)
    counts = {
        t["name"]: t["photos_count"] for t in (await client.get("/api/v1/tags")).json()["items"]
    }
    assert counts == {"sea": 1, "beach": 1, "sky": 1}

    await client.put(
        f"/api/v1/photos/{repeated['id']}",
        json={"description": "", "tags": ["sky", "clouds"]},
        headers=owner.headers,
    )
    counts = {
        t["name"]: t["photos_count"] for t in (await client.get("/api/v1/tags")).json()["items"]
    }
    assert counts == {"sky": 1, "clouds": 1}
    prefixed = (await client.get("/api/v1/tags", params={"prefix": "CL"})).json()
    assert prefixed["items"] == [{"name": "clouds", "photos_count": 1}]
    pattern = (await client.get("/api/v1/tags", params={"prefix": ".*"})).json()
    assert pattern["items"] == []


@pytest.mark.parametrize(
    "tags",
    ["a,b,c,d,e,f", ["a", "b", "c", "d", "e", "f"], "x" * 33, "<script>"],
)
async def test_bad_tags_are_422_and_store_nothing(
    users: UserFactory, photos: PhotoFactory, settings: Settings, tags: list[str] | str
) -> None:
    owner = await users.create()
    error = await photos.upload(owner, tags=tags, expect=422)
    assert error["detail"][0]["loc"][:2] == ["body", "tags"]  # type: ignore[index]
    assert await Photo.count() == 0
    assert await Tag.count() == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("content", "filename", "status", "message"),
    [
        (b"", "empty.jpg", 422, "empty"),
        (samples.TEXT, "notes.jpg", 415, "Not an accepted image"),
        (samples.truncated_jpeg(), "cut.jpg", 422, "broken"),
        (samples.png_claiming(30000, 30000), "huge.png", 422, "30000x30000"),
        (samples.SVG_WITH_SCRIPT, "drawing.svg", 415, "Not an accepted image"),
        (samples.PDF, "paper.pdf", 415, "Not an accepted image"),
        (samples.heic_brand_header(), "broken.heic", 422, "broken"),
    ],
)
async def test_bad_files_are_refused_and_leave_nothing(
    users: UserFactory,
    photos: PhotoFactory,
    settings: Settings,
    content: bytes,
    filename: str,
    status: int,
    message: str,
) -> None:
    owner = await users.create()
    error = await photos.upload(owner, content, filename=filename, expect=status)
    assert message in str(error["detail"])
    assert await Photo.count() == 0
    assert stored_files(settings) == []


async def test_file_over_the_size_limit_is_413(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(max_upload_bytes=50_000)
    app = create_app(settings)
    async with (
        lifespan(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        owner = await UserFactory(client).create()
        big = samples.noisy_jpeg(400, 400)
        assert 50_000 < len(big) < 50_000 + 256 * 1024
        error = await PhotoFactory(client).upload(owner, big, expect=413)
        assert "too large" in str(error["detail"])
        huge = b"\xff\xd8\xff" + b"\0" * 400_000
        error = await PhotoFactory(client).upload(owner, huge, expect=413)
        assert "too large" in str(error["detail"])
        assert await Photo.count() == 0
    assert stored_files(settings) == []


async def test_only_owner_or_admin_may_change(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    admin, owner = await users.admin_and_user()
    stranger = await users.create()
    moderator = await users.create(role="moderator", admin=admin)
    photo = await photos.upload(owner, description="mine")
    path = f"/api/v1/photos/{photo['id']}"

    for other in (stranger, moderator):
        assert (
            await client.put(path, json={"description": "x"}, headers=other.headers)
        ).status_code == 403
        assert (await client.delete(path, headers=other.headers)).status_code == 403
    assert (await client.put(path, json={"description": "x"})).status_code == 401
    assert (await client.get(path)).json()["description"] == "mine"

    edited = await client.put(path, json={"description": "by admin"}, headers=admin.headers)
    assert edited.status_code == 200 and edited.json()["description"] == "by admin"
    assert (await client.delete(path, headers=admin.headers)).status_code == 204


@pytest.mark.parametrize("photo_id", ["not-an-id", "0" * 24, "6b0856bef99ac074a5dde17", "%24gt"])
async def test_malformed_or_unknown_ids_are_404(
    client: httpx.AsyncClient, users: UserFactory, photo_id: str
) -> None:
    owner = await users.create()
    assert (await client.get(f"/api/v1/photos/{photo_id}")).status_code == 404
    put = await client.put(
        f"/api/v1/photos/{photo_id}", json={"description": "x"}, headers=owner.headers
    )
    assert put.status_code == 404
    assert (
        await client.delete(f"/api/v1/photos/{photo_id}", headers=owner.headers)
    ).status_code == 404


async def test_list_newest_first_with_paging(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    ids = [(await photos.upload(owner, description=f"n{i}"))["id"] for i in range(3)]
    page = (await client.get("/api/v1/photos", params={"limit": 2})).json()
    assert [p["id"] for p in page["items"]] == ids[::-1][:2]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    rest = (await client.get("/api/v1/photos", params={"limit": 2, "offset": 2})).json()
    assert [p["id"] for p in rest["items"]] == [ids[0]]
    assert (await client.get("/api/v1/photos", params={"limit": 101})).status_code == 422


async def test_avatar_is_stored_square(
    client: httpx.AsyncClient, users: UserFactory, settings: Settings
) -> None:
    account = await users.create()
    response = await client.put(
        "/api/v1/users/me/avatar",
        files={"file": ("me.png", samples.png(900, 600), "image/png")},
        headers=account.headers,
    )
    assert response.status_code == 200
    first_url = response.json()["avatar_url"]
    avatar = Image.open(io.BytesIO((await fetch(client, first_url)).content))
    assert avatar.size == (512, 512)

    again = await client.put(
        "/api/v1/users/me/avatar",
        files={"file": ("me.jpg", samples.jpeg(100, 300), "image/jpeg")},
        headers=account.headers,
    )
    assert Image.open(
        io.BytesIO((await fetch(client, again.json()["avatar_url"])).content)
    ).size == (100, 100)
    # The old avatar file is gone; only the new one is kept.
    assert (await fetch(client, first_url)).status_code == 404
    assert len(stored_files(settings)) == 1
    profile = (await client.get(f"/api/v1/users/{account.username}")).json()
    assert profile["avatar_url"] == again.json()["avatar_url"]

    bad = await client.put(
        "/api/v1/users/me/avatar",
        files={"file": ("me.pdf", samples.PDF, "application/pdf")},
        headers=account.headers,
    )
    assert bad.status_code == 415
    assert len(stored_files(settings)) == 1


@pytest.fixture
def network_round_trips(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let other requests run while each database operation is in flight.

    A real MongoDB answers over the network, so requests interleave between a read and
    a write; the embedded store answers at once, which would hide stale reads.
    """
    for name in ("find_one", "update_one", "find_one_and_update", "find_one_and_delete"):
        original = getattr(AsyncMongoMockCollection, name)

        def in_flight(original: Any) -> Any:
            async def operation(self: Any, *args: Any, **kwargs: Any) -> Any:
                await asyncio.sleep(0)
                return await original(self, *args, **kwargs)

            return operation

        monkeypatch.setattr(AsyncMongoMockCollection, name, in_flight(original))


async def _holders(client: httpx.AsyncClient, tag: str) -> int:
    response = await client.get("/api/v1/photos", params={"tag": tag, "limit": 1})
    assert response.status_code == 200, response.text
    total: int = response.json()["total"]
    return total


async def test_tag_counts_hold_under_parallel_edits_and_deletes(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, network_round_trips: None
) -> None:
    owner = await users.create()
    pool = ["sea", "sky", "dunes", "night", "rain", "moss", "fog"]
    edited = await photos.upload(owner, tags="sea,sky")
    doomed = [await photos.upload(owner, tags="sea,fog") for _ in range(3)]
    kept = await photos.upload(owner, tags="moss")

    def tag_set(i: int) -> list[str]:
        return [pool[(i + k) % len(pool)] for k in range(1 + i % 4)]

    edits = [
        client.put(
            f"/api/v1/photos/{photo['id']}",
            json={"description": f"edit {i}", "tags": tag_set(i)},
            headers=owner.headers,
        )
        for i in range(20)
        for photo in [edited, *doomed]
    ]
    deletes = [
        client.delete(f"/api/v1/photos/{photo['id']}", headers=owner.headers) for photo in doomed
    ]
    responses = await asyncio.gather(*edits, *deletes)
    assert {r.status_code for r in responses} <= {200, 204, 404}
    assert [r.status_code for r in responses[-3:]] == [204] * 3

    listed = (await client.get("/api/v1/tags", params={"limit": 100})).json()["items"]
    counts = {item["name"]: item["photos_count"] for item in listed}
    for name in pool:
        assert counts.get(name, 0) == await _holders(client, name), (name, counts)
    final = (await client.get(f"/api/v1/photos/{edited['id']}")).json()["tags"]
    assert set(counts) == set(final) | {"moss"}
    assert (await client.get(f"/api/v1/photos/{kept['id']}")).json()["tags"] == ["moss"]


async def test_an_edit_without_tags_keeps_the_tags_stored_meanwhile(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, network_round_trips: None
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner, tags="sea")
    url = f"/api/v1/photos/{photo['id']}"
    responses = await asyncio.gather(
        *(
            client.put(
                url, json={"description": f"calm {i}", "tags": [f"t{i}"]}, headers=owner.headers
            )
            if i % 2
            else client.put(url, json={"description": f"calm {i}"}, headers=owner.headers)
            for i in range(10)
        )
    )
    assert {r.status_code for r in responses} == {200}
    final = (await client.get(url)).json()
    # Keyword search agrees with the tags stored, whichever edit came last.
    [tag] = final["tags"]
    assert await _holders(client, tag) == 1
    found = (await client.get("/api/v1/photos", params={"q": tag})).json()["items"]
    assert [item["id"] for item in found] == [photo["id"]]
    listed = (await client.get("/api/v1/tags", params={"limit": 100})).json()["items"]
    assert listed == [{"name": tag, "photos_count": 1}]
