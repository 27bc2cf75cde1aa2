"""An album's share link over HTTP: the page it serves, its CSP, and what changes it."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId

from photoshare.albums.models import Album
from photoshare.albums.share_page import MAX_PAGE, PAGE_SIZE
from photoshare.config import Settings
from photoshare.db import collection
from photoshare.photos.models import Photo
from tests.albums.share import path_of, read_page, share
from tests.albums.test_photo_delete import album_with
from tests.factories import Account, PhotoFactory, UserFactory
from tests.index_coverage import RECORDER
from tests.links.test_links import decode_qr
from tests.media import samples
from tests.media.test_cloudinary import cloud_client, fake_cloudinary  # noqa: F401 - fixtures


@pytest.fixture
async def owner(users: UserFactory) -> Account:
    await users.create()  # the first account is the admin
    return await users.create("dunes")


async def upload_three(photos: PhotoFactory, owner: Account) -> list[dict[str, Any]]:
    sizes = [(2400, 1600), (900, 1200), (640, 480)]
    return [
        await photos.upload(owner, samples.jpeg(width, height), description=f"Dune number {number}")
        for number, (width, height) in enumerate(sizes, start=1)
    ]


async def views_of(client: httpx.AsyncClient, link: dict[str, Any]) -> int:
    views: int = (await client.get(f"/api/v1/links/{link['id']}")).json()["views"]
    return views


async def test_the_page_shows_the_photos_in_album_order(
    client: httpx.AsyncClient, owner: Account, photos: PhotoFactory
) -> None:
    first, second, third = await upload_three(photos, owner)
    album = await album_with(
        client,
        owner,
        [first, second, third],
        title="Dunes at dawn",
        description="Walked at 6 am.\nCold.",
    )
    order = [third["id"], first["id"], second["id"]]
    reordered = await client.put(
        f"/api/v1/albums/{album}/photos", json={"photo_ids": order}, headers=owner.headers
    )
    assert reordered.status_code == 200, reordered.text
    link = await share(client, album, owner)
    assert link["album_id"] == album
    assert link["photo_id"] is None
    assert link["url"].startswith("http://127.0.0.1:8000/s/")

    page = await client.get(path_of(link["url"]))

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    content = read_page(page.text)
    assert content.title.startswith("Dunes at dawn")
    assert "Dunes at dawn" in content.text
    assert "An album by dunes" in content.text
    assert "Walked at 6 am. Cold." in content.text
    assert "3 photos" in content.text
    shown = [third, first, second]
    assert [img["src"] for img in content.images] == [p["sizes"]["preview"]["url"] for p in shown]
    assert [(img["width"], img["height"]) for img in content.images] == [
        (str(p["sizes"]["preview"]["width"]), str(p["sizes"]["preview"]["height"])) for p in shown
    ]
    assert [img["alt"] for img in content.images] == [p["description"] for p in shown]
    assert {img["loading"] for img in content.images} == {"lazy"}
    # Each image opens the full photo.
    assert [(href, [i["src"] for i in imgs]) for href, imgs in content.links] == [
        (p["url"], [p["sizes"]["preview"]["url"]]) for p in shown
    ]
    # Works without JavaScript: there is none.
    assert "script" not in content.tags
    # The images it names are served.
    for img in content.images:
        image = await client.get(path_of(img["src"]))
        assert image.status_code == 200
        assert image.headers["content-type"] == "image/webp"
    assert await views_of(client, link) == 1


async def test_the_page_has_a_strict_content_security_policy(
    client: httpx.AsyncClient, owner: Account, photos: PhotoFactory
) -> None:
    album = await album_with(client, owner, await upload_three(photos, owner))
    link = await share(client, album, owner)

    page = await client.get(path_of(link["url"]))

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in page.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert "script-src" not in policy  # default-src 'none' refuses every script
    assert policy["img-src"] == "'self' http://127.0.0.1:8000"
    assert policy["frame-ancestors"] == "'none'"
    # The inline stylesheet is allowed by its hash, and nothing else is.
    [style] = read_page(page.text).styles
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert policy["style-src"] == f"'sha256-{digest}'"
    assert page.headers["x-content-type-options"] == "nosniff"


async def test_with_cloudinary_the_policy_allows_cloudinary_images(
    cloud_client: tuple[httpx.AsyncClient, Settings],  # noqa: F811
) -> None:
    client, _ = cloud_client
    owner = await UserFactory(client).create()
    photo = await PhotoFactory(client).upload(owner, samples.jpeg(900, 600), description="Pier")
    album = await album_with(client, owner, [photo])
    link = await share(client, album, owner)

    page = await client.get(path_of(link["url"]))

    [img] = read_page(page.text).images
    assert img["src"] == photo["sizes"]["preview"]["url"]
    assert img["src"].startswith("https://res.cloudinary.com/demo-cloud/")
    policy = page.headers["content-security-policy"]
    assert "img-src 'self' https://res.cloudinary.com;" in policy


async def test_photos_without_display_sizes_show_the_stored_image(
    client: httpx.AsyncClient, owner: Account, photos: PhotoFactory
) -> None:
    photo = await photos.upload(owner, samples.jpeg(300, 200))
    # A photo stored before display sizes existed.
    with RECORDER.quiet():
        await collection(Photo).update_one(
            {"_id": PydanticObjectId(photo["id"])}, {"$set": {"sizes": None}}
        )
    album = await album_with(client, owner, [photo])
    link = await share(client, album, owner)

    content = read_page((await client.get(path_of(link["url"]))).text)

    [img] = content.images
    assert (img["src"], img["width"], img["height"]) == (photo["url"], "300", "200")
    # No description: the alt text still says what it is.
    assert img["alt"] == "Photo 1"


async def test_text_is_escaped(
    client: httpx.AsyncClient, owner: Account, photos: PhotoFactory
) -> None:
    attack = '<script>alert("owned")</script>'
    photo = await photos.upload(owner, samples.jpeg(), description=f'" onload="alert(1) {attack}')
    album = await album_with(
        client, owner, [photo], title=attack, description=f"<b>bold</b> {attack}"
    )
    link = await share(client, album, owner)

    page = await client.get(path_of(link["url"]))

    assert page.status_code == 200
    assert "<script" not in page.text
    assert "<b>" not in page.text
    content = read_page(page.text)
    assert "script" not in content.tags
    assert content.title.startswith(attack)
    assert attack in content.text
    assert f"<b>bold</b> {attack}" in content.text
    [img] = content.images
    assert set(img) == {"src", "width", "height", "alt", "loading", "decoding"}
    assert img["alt"] == f'" onload="alert(1) {attack}'


async def test_a_private_album_is_shown_through_its_link(
    client: httpx.AsyncClient, owner: Account, users: UserFactory, photos: PhotoFactory
) -> None:
    photo = await photos.upload(owner, samples.jpeg())
    album = await album_with(client, owner, [photo], title="Family", visibility="private")
    stranger = await users.create()
    assert (
        await client.get(f"/api/v1/albums/{album}", headers=stranger.headers)
    ).status_code == 404
    link = await share(client, album, owner)

    page = await client.get(path_of(link["url"]), headers=stranger.headers)

    assert page.status_code == 200
    assert len(read_page(page.text).images) == 1


async def test_photos_leave_the_page_and_a_deleted_album_is_gone(
    client: httpx.AsyncClient, owner: Account, photos: PhotoFactory
) -> None:
    first, second, third = await upload_three(photos, owner)
    album = await album_with(client, owner, [first, second, third])
    link = await share(client, album, owner)
    deleted = await client.delete(f"/api/v1/photos/{second['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    removed = await client.delete(
        f"/api/v1/albums/{album}/photos/{third['id']}", headers=owner.headers
    )
    assert removed.status_code == 204

    content = read_page((await client.get(path_of(link["url"]))).text)

    assert [img["src"] for img in content.images] == [first["sizes"]["preview"]["url"]]
    assert "1 photo" in content.text

    gone = await client.delete(f"/api/v1/albums/{album}", headers=owner.headers)
    assert gone.status_code == 204
    page = await client.get(path_of(link["url"]))
    assert page.status_code == 404
    assert (await client.get(f"/api/v1/links/{link['id']}")).status_code == 404
    # Its photos stay.
    assert (await client.get(f"/api/v1/photos/{first['id']}")).status_code == 200


async def test_an_empty_album_says_so(client: httpx.AsyncClient, owner: Account) -> None:
    album = await album_with(client, owner, [])
    link = await share(client, album, owner)

    page = await client.get(path_of(link["url"]))

    assert page.status_code == 200
    content = read_page(page.text)
    assert content.images == []
    assert "This album has no photos yet." in content.text


async def test_a_large_album_is_shown_a_page_at_a_time(
    client: httpx.AsyncClient, owner: Account, photos: PhotoFactory
) -> None:
    photo = await photos.upload(owner, samples.jpeg())
    album = await album_with(client, owner, [photo])
    # More photos than one page holds, stored directly: uploading them would take long.
    doc = await collection(Photo).find_one({"_id": PydanticObjectId(photo["id"])})
    assert doc is not None
    extra = [PydanticObjectId() for _ in range(PAGE_SIZE + 4)]
    with RECORDER.quiet():
        await collection(Photo).insert_many([{**doc, "_id": photo_id} for photo_id in extra])
        await collection(Album).update_one(
            {"_id": PydanticObjectId(album)}, {"$push": {"photo_ids": {"$each": extra}}}
        )
    total = PAGE_SIZE + 5
    link = await share(client, album, owner)

    first = read_page((await client.get(path_of(link["url"]))).text)
    assert len(first.images) == PAGE_SIZE
    assert f"Photos 1\N{EN DASH}{PAGE_SIZE} of {total}" in first.text
    assert ("?page=2", []) in first.links

    second = read_page((await client.get(path_of(link["url"]) + "?page=2")).text)
    assert len(second.images) == 5
    assert f"Photos {PAGE_SIZE + 1}\N{EN DASH}{total} of {total}" in second.text
    assert ("?page=1", []) in second.links

    # Up to the last page the largest album could have, a page past this album's says so.
    beyond = await client.get(path_of(link["url"]) + f"?page={MAX_PAGE}")
    assert beyond.status_code == 200
    assert read_page(beyond.text).images == []
    assert f"There is no page {MAX_PAGE}: this album has 2 pages." in beyond.text
    assert ("?page=2", []) in read_page(beyond.text).links

    for bad in ("0", "-1", "x", str(MAX_PAGE + 1), "99999999999999999999"):
        refused = await client.get(path_of(link["url"]), params={"page": bad})
        assert refused.status_code == 422, bad


async def test_the_qr_code_opens_the_album_page(
    client: httpx.AsyncClient, owner: Account, photos: PhotoFactory
) -> None:
    album = await album_with(client, owner, [await photos.upload(owner, samples.jpeg())])
    link = await share(client, album, owner)

    qr = await client.get(path_of(link["qr_url"]))

    assert qr.status_code == 200
    assert qr.headers["content-type"] == "image/png"
    assert decode_qr(qr.content) == link["url"]
