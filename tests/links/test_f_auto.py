"""f_auto links: AVIF, WebP or JPEG/PNG by the request's Accept, each variant cached apart."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
import pyvips

from photoshare.config import Settings
from photoshare.links.negotiation import AVIF_MAX_PIXELS, chosen_offer
from tests.factories import Account, PhotoFactory, UserFactory
from tests.links.test_links import fetch
from tests.links.test_render_cache import cached_files, new_link
from tests.media import samples

# What browsers send for an <img>, as they send it.
CHROME = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
SAFARI = (
    "image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,"
    "image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
)
OLD_SAFARI = "image/webp,image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5"
CURL = "*/*"

# The decoder libvips picks for the bytes, whatever the response claims.
LOADERS = {
    "image/avif": "heifload_buffer",
    "image/webp": "webpload_buffer",
    "image/jpeg": "jpegload_buffer",
    "image/png": "pngload_buffer",
}


def loader_of(content: bytes) -> str:
    return str(pyvips.Image.new_from_buffer(content, "").get("vips-loader"))


async def shown(client: httpx.AsyncClient, url: str, accept: str) -> httpx.Response:
    response = await fetch(client, url, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["vary"] == "Accept"
    assert loader_of(response.content) == LOADERS[response.headers["content-type"]]
    return response


@pytest.fixture
async def owner(users: UserFactory) -> Account:
    return await users.create()


async def test_f_auto_answers_avif_webp_or_jpeg_by_accept(
    client: httpx.AsyncClient, owner: Account, photos: PhotoFactory
) -> None:
    photo = await photos.upload(owner, samples.noisy_jpeg(800, 600))
    text = "c_fill,w_400,h_300/f_auto,q_auto"
    url = await new_link(client, owner, photo["id"], text)
    # The canonical string keeps f_auto: the link is one, whatever the browser.
    links = await client.get(f"/api/v1/photos/{photo['id']}/links")
    assert [link["transformation"] for link in links.json()["items"]] == [text]

    expected = {
        CHROME: "image/avif",
        SAFARI: "image/avif",
        OLD_SAFARI: "image/webp",
        CURL: "image/jpeg",
        "": "image/jpeg",
    }
    etags = {}
    for accept, content_type in expected.items():
        response = await shown(client, url, accept)
        assert response.headers["content-type"] == content_type, accept
        image = pyvips.Image.new_from_buffer(response.content, "")
        assert (image.width, image.height) == (400, 300)
        etags[content_type] = response.headers["etag"]
    assert len(set(etags.values())) == 3  # one ETag per variant


async def test_a_304_and_a_head_say_the_image_varies_by_accept(
    client: httpx.AsyncClient, owner: Account, photos: PhotoFactory
) -> None:
    photo = await photos.upload(owner, samples.jpeg(320, 240))
    url = await new_link(client, owner, photo["id"], "f_auto")
    webp = await shown(client, url, OLD_SAFARI)

    again = await fetch(
        client, url, headers={"Accept": OLD_SAFARI, "If-None-Match": webp.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["vary"] == "Accept"
    # The WebP's ETag is not the JPEG's: a client without WebP gets the JPEG, not a 304.
    other = await fetch(
        client, url, headers={"Accept": CURL, "If-None-Match": webp.headers["etag"]}
    )
    assert other.status_code == 200 and other.headers["content-type"] == "image/jpeg"

    head = await client.head(urlsplit(url).path, headers={"Accept": CHROME})
    assert head.status_code == 200
    assert head.headers["vary"] == "Accept"
    assert head.headers["content-type"] == "image/avif"
    assert head.content == b""


async def test_an_image_with_alpha_falls_back_to_png(
    client: httpx.AsyncClient, owner: Account, photos: PhotoFactory
) -> None:
    transparent = await photos.upload(owner, samples.png(200, 150, alpha=True))
    url = await new_link(client, owner, transparent["id"], "f_auto")
    fallback = await shown(client, url, CURL)
    assert fallback.headers["content-type"] == "image/png"
    assert pyvips.Image.new_from_buffer(fallback.content, "").hasalpha()
    webp = await shown(client, url, OLD_SAFARI)
    assert pyvips.Image.new_from_buffer(webp.content, "").hasalpha()

    # Rounded corners make an opaque photo transparent: PNG too.
    opaque = await photos.upload(owner, samples.jpeg(200, 150))
    rounded = await shown(client, await new_link(client, owner, opaque["id"], "r_max/f_auto"), CURL)
    assert rounded.headers["content-type"] == "image/png"
    # An opaque PNG has no alpha to keep: JPEG.
    flat = await photos.upload(owner, samples.png(200, 150))
    plain = await shown(client, await new_link(client, owner, flat["id"], "f_auto"), CURL)
    assert plain.headers["content-type"] == "image/jpeg"


async def test_the_cache_keeps_the_variants_apart(
    client: httpx.AsyncClient, owner: Account, photos: PhotoFactory, settings: Settings
) -> None:
    photo = await photos.upload(owner, samples.noisy_jpeg(640, 480))
    url = await new_link(client, owner, photo["id"], "e_sepia/f_auto,q_80")
    first: dict[str, bytes] = {}
    for accept in [CHROME, CURL, OLD_SAFARI] * 3:
        response = await shown(client, url, accept)
        kept = first.setdefault(response.headers["content-type"], response.content)
        assert response.content == kept
    assert set(first) == {"image/avif", "image/jpeg", "image/webp"}
    # One file per variant, each rendered once.
    assert sorted(path.suffix for path in cached_files(settings)) == [".avif", ".jpg", ".webp"]


async def test_a_large_image_is_webp_rather_than_avif(
    client: httpx.AsyncClient, owner: Account, photos: PhotoFactory
) -> None:
    # AVIF encoding cannot be stopped at the render's time limit: past its size, WebP.
    photo = await photos.upload(owner, samples.jpeg(2000, 1500))
    assert AVIF_MAX_PIXELS < 2000 * 1500
    large = await shown(client, await new_link(client, owner, photo["id"], "f_auto"), CHROME)
    assert large.headers["content-type"] == "image/webp"
    small = await new_link(client, owner, photo["id"], "c_fit,w_1600,h_1200/f_auto")
    assert (await shown(client, small, CHROME)).headers["content-type"] == "image/avif"


async def test_f_auto_in_json_is_the_same_link_and_deleting_it_drops_every_variant(
    client: httpx.AsyncClient, owner: Account, photos: PhotoFactory
) -> None:
    photo = await photos.upload(owner, samples.jpeg(320, 240))
    link = (
        await client.post(
            f"/api/v1/photos/{photo['id']}/links",
            json={"transformation": [{"op": "format", "format": "auto", "quality": 80}]},
            headers=owner.headers,
        )
    ).json()
    assert link["transformation"] == "f_auto,q_80"
    same = await client.post(
        f"/api/v1/photos/{photo['id']}/links",
        json={"transformation": "q_80,f_auto"},
        headers=owner.headers,
    )
    assert same.status_code == 200 and same.json()["id"] == link["id"]
    for accept in (CHROME, CURL):
        await shown(client, link["url"], accept)

    deleted = await client.delete(f"/api/v1/links/{link['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    for accept in (CHROME, CURL):
        assert (await fetch(client, link["url"], headers={"Accept": accept})).status_code == 404


async def test_the_catalogue_lists_auto(client: httpx.AsyncClient) -> None:
    catalogue = (await client.get("/api/v1/transformations")).json()
    assert "auto" in catalogue["operations"]["format"]["fields"]["format"]["values"]


@pytest.mark.parametrize(
    ("accept", "offer"),
    [
        (CHROME, "avif"),
        ("image/avif;q=0,image/webp", "webp"),
        ("image/avif;q=0.5,image/webp;q=0.9", "webp"),
        ("image/webp;q=0.5,image/jpeg", "fallback"),
        ("image/webp;q=0.5,image/*;q=0.4", "webp"),
        ("IMAGE/AVIF ; Q=0.7 , */*;q=0.6", "avif"),
        ("image/*", "fallback"),
        ("image/avif;q=zero,*/*", "fallback"),
        ("image/avif;q=nan", "fallback"),
        ("image/avif;q=0", "fallback"),
        (",,;;;=,", "fallback"),
        ("image/webp;q=2,image/avif;q=1", "avif"),
        (None, "fallback"),
    ],
)
def test_q_values_choose_the_variant(accept: str | None, offer: str) -> None:
    assert chosen_offer(accept) == offer
