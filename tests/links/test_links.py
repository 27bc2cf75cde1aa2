"""Share links over HTTP: create once, list, QR codes a phone can scan, public images."""

from __future__ import annotations

import asyncio
import io
from urllib.parse import urlsplit

import httpx
import pytest
import pyvips
from beanie import PydanticObjectId
from PIL import Image
from pyzbar import pyzbar

from photoshare.config import Settings
from photoshare.db import collection
from photoshare.links.models import Link
from tests.factories import PhotoFactory, UserFactory
from tests.media import samples
from tests.photos.test_photos import stored_files


async def fetch(client: httpx.AsyncClient, url: str, **kwargs: object) -> httpx.Response:
    return await client.get(
        urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else ""), **kwargs
    )  # type: ignore[arg-type]


def decode_qr(png: bytes) -> str:
    [symbol] = pyzbar.decode(Image.open(io.BytesIO(png)))
    return str(symbol.data.decode())


def rasterise_svg(svg: bytes) -> bytes:
    image = pyvips.Image.svgload_buffer(svg, dpi=150)
    if image.hasalpha():
        image = image.flatten(background=255)
    return bytes(image.pngsave_buffer())


async def test_link_lifecycle_with_qr_codes(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, settings: Settings
) -> None:
    owner = await users.create()
    viewer = await users.create()
    photo = await photos.upload(owner, samples.jpeg(640, 480))

    created = await client.post(
        f"/api/v1/photos/{photo['id']}/links",
        json={"transformation": "c_fill,w_300,h_300/e_grayscale/r_max/f_png"},
        headers=viewer.headers,
    )
    assert created.status_code == 201
    link = created.json()
    assert link["transformation"] == "c_fill,w_300,h_300/e_grayscale/r_max/f_png,q_auto"
    assert link["photo_id"] == photo["id"]
    assert link["created_by"] == viewer.username
    assert link["url"].startswith("http://127.0.0.1:8000/s/")
    assert link["qr_url"] == f"http://127.0.0.1:8000/api/v1/links/{link['id']}/qr"

    # The same transformation in the JSON form is the same link.
    again = await client.post(
        f"/api/v1/photos/{photo['id']}/links",
        json={
            "transformation": [
                {"op": "resize", "width": 300, "height": 300, "crop": "fill"},
                {"op": "effect", "name": "grayscale"},
                {"op": "radius", "value": "max"},
                {"op": "format", "format": "png"},
            ]
        },
        headers=owner.headers,
    )
    assert again.status_code == 200
    assert again.json()["id"] == link["id"]

    png = await fetch(client, link["qr_url"])
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert "max-age" in png.headers["cache-control"]
    assert decode_qr(png.content) == link["url"]
    svg = await fetch(client, link["qr_url"], params={"format": "svg"})
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert decode_qr(rasterise_svg(svg.content)) == link["url"]
    assert (await fetch(client, link["qr_url"], params={"format": "gif"})).status_code == 422

    # Anyone who scans it sees the transformed image.
    image = await fetch(client, decode_qr(png.content))
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert "immutable" in image.headers["cache-control"]
    rendered = Image.open(io.BytesIO(image.content))
    assert rendered.size == (300, 300)
    assert rendered.mode == "LA"  # grey with alpha: the grey result is stored in one band
    rendered = rendered.convert("RGBA")
    assert rendered.getpixel((0, 0))[3] == 0  # type: ignore[index]
    r, g, b, a = rendered.getpixel((150, 150))  # type: ignore[misc]
    assert r == g == b and a == 255
    cached = await fetch(client, link["url"], headers={"If-None-Match": image.headers["etag"]})
    assert cached.status_code == 304

    listed = (await client.get(f"/api/v1/photos/{photo['id']}/links")).json()
    assert [item["id"] for item in listed["items"]] == [link["id"]]
    assert listed["total"] == 1
    # The one view is counted (the 304 is not); only the creator, here, may delete it.
    seen = (await client.get(f"/api/v1/links/{link['id']}", headers=viewer.headers)).json()
    assert seen == link | {"views": 1, "last_viewed_at": seen["last_viewed_at"]}
    assert seen["last_viewed_at"] is not None and seen["can_delete"] is True
    anonymous = (await client.get(f"/api/v1/links/{link['id']}")).json()
    assert anonymous["can_delete"] is False and anonymous["views"] == 1

    deleted = await client.delete(f"/api/v1/photos/{photo['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    assert (await client.get(f"/api/v1/links/{link['id']}")).status_code == 404
    assert (await fetch(client, link["url"])).status_code == 404
    assert stored_files(settings) == []
    assert not any((settings.data_dir / "renders").rglob("*.*"))


async def test_presets_and_catalogue(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    catalogue = (await client.get("/api/v1/transformations")).json()
    assert set(catalogue["operations"]) == {
        "resize",
        "rotate",
        "flip",
        "effect",
        "radius",
        "border",
        "format",
    }
    assert catalogue["presets"]["circle_avatar"]["transformation"].endswith("r_max/f_png,q_auto")

    owner = await users.create()
    photo = await photos.upload(owner, samples.jpeg(400, 300))
    link = await client.post(
        f"/api/v1/photos/{photo['id']}/links",
        json={"preset": "circle_avatar"},
        headers=owner.headers,
    )
    assert link.status_code == 201
    assert link.json()["transformation"] == catalogue["presets"]["circle_avatar"]["transformation"]
    image = Image.open(io.BytesIO((await fetch(client, link.json()["url"])).content))
    assert image.size == (256, 256)

    unknown = await client.post(
        f"/api/v1/photos/{photo['id']}/links", json={"preset": "nope"}, headers=owner.headers
    )
    assert unknown.status_code == 422
    assert "circle_avatar" in unknown.json()["detail"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"transformation": "w_300/../../etc"}, "'..'"),
        ({"transformation": "e_blur:999999"}, "blur strength"),
        ({"transformation": "/".join(["a_90"] * 100)}, "at most 10"),
        ({"transformation": [{"op": "rotate", "angle": 90}] * 100}, "10"),
        ({"transformation": [{"op": "resize"}]}, "resize needs"),
        ({"transformation": {"$gt": ""}}, "list of operations"),
        ({}, "either a transformation or a preset"),
        ({"transformation": "e_negate", "preset": "grayscale"}, "either"),
        ({"transformation": None, "preset": "grayscale"}, "either"),
        ({"transformation": None}, "either"),
    ],
)
async def test_bad_transformations_are_422_and_store_nothing(
    client: httpx.AsyncClient,
    users: UserFactory,
    photos: PhotoFactory,
    body: dict[str, object],
    named: str,
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner)
    response = await client.post(
        f"/api/v1/photos/{photo['id']}/links", json=body, headers=owner.headers
    )
    assert response.status_code == 422
    assert named in response.text
    assert await Link.count() == 0


async def test_who_may_create_and_delete(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    admin, owner = await users.admin_and_user()
    creator, stranger = await users.create(), await users.create()
    photo = await photos.upload(owner)
    url = f"/api/v1/photos/{photo['id']}/links"
    assert (await client.post(url, json={"preset": "grayscale"})).status_code == 401
    assert (
        await client.post(
            "/api/v1/photos/nope/links", json={"preset": "grayscale"}, headers=creator.headers
        )
    ).status_code == 404

    ids = []
    for transformation in ("e_negate", "e_sepia", "e_blur"):
        response = await client.post(
            url, json={"transformation": transformation}, headers=creator.headers
        )
        ids.append(response.json()["id"])
    assert (
        await client.delete(f"/api/v1/links/{ids[0]}", headers=stranger.headers)
    ).status_code == 403
    assert (await client.delete(f"/api/v1/links/{ids[0]}")).status_code == 401
    assert (
        await client.delete(f"/api/v1/links/{ids[0]}", headers=creator.headers)
    ).status_code == 204
    assert (
        await client.delete(f"/api/v1/links/{ids[1]}", headers=owner.headers)
    ).status_code == 204
    assert (
        await client.delete(f"/api/v1/links/{ids[2]}", headers=admin.headers)
    ).status_code == 204
    assert (await client.get(url)).json()["items"] == []
    assert (await client.get("/api/v1/links/not-an-id")).status_code == 404
    assert (await client.get("/s/unknown123")).status_code == 404


async def test_concurrent_identical_requests_make_one_link_and_one_render(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, settings: Settings
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner, samples.jpeg(800, 600))
    responses = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/photos/{photo['id']}/links",
                json={"transformation": "c_fit,w_100,h_100"},
                headers=owner.headers,
            )
            for _ in range(20)
        )
    )
    assert {r.json()["id"] for r in responses} == {responses[0].json()["id"]}
    assert sorted(r.status_code for r in responses).count(201) == 1
    url = responses[0].json()["url"]
    images = await asyncio.gather(*(fetch(client, url) for _ in range(8)))
    assert {r.status_code for r in images} == {200}
    assert len({r.content for r in images}) == 1
    assert len(list((settings.data_dir / "renders").rglob("*.jpg"))) == 1


async def test_links_made_at_the_same_moment_page_in_one_order(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner)
    url = f"/api/v1/photos/{photo['id']}/links"
    for width in range(100, 600, 100):
        created = await client.post(
            url, json={"transformation": f"w_{width}"}, headers=owner.headers
        )
        assert created.status_code == 201
    # All in one millisecond, and stored out of id order (as a restore or a replica may).
    links = collection(Link)
    docs = await links.find({"photo_id": PydanticObjectId(str(photo["id"]))}).to_list(None)
    assert len(docs) == 5
    moment = docs[0]["created_at"]
    await links.delete_many({"_id": {"$in": [doc["_id"] for doc in docs]}})
    await links.insert_many([{**doc, "created_at": moment} for doc in reversed(docs)])

    pages = [
        (await client.get(url, params={"limit": 2, "offset": offset})).json()["items"]
        for offset in (0, 2, 4)
    ]
    paged = [link["id"] for page in pages for link in page]
    assert paged == sorted(str(doc["_id"]) for doc in docs)
