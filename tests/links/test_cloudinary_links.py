"""The Cloudinary renderer: signed delivery URLs equal to what the SDK builds, offline."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from photoshare.config import Settings
from photoshare.links.cloudinary import delivery_url
from photoshare.links.transformations import parse
from photoshare.media.storage import CloudinaryStorage
from tests.factories import PhotoFactory, UserFactory
from tests.media.test_cloudinary import cloud_client, fake_cloudinary  # noqa: F401 - fixtures
from tests.media.test_storage import STORAGE_URL, sdk_signed_url

STORAGE = CloudinaryStorage(STORAGE_URL)


@pytest.mark.parametrize(
    ("text", "sdk_options"),
    [
        ("c_fill,w_300,h_300", [{"crop": "fill", "width": 300, "height": 300}]),
        (
            "c_thumb,w_64,h_64,g_auto",
            [{"crop": "thumb", "width": 64, "height": 64, "gravity": "auto"}],
        ),
        (
            "c_pad,w_50,h_60,g_north",
            [{"crop": "pad", "width": 50, "height": 60, "gravity": "north"}],
        ),
        ("c_scale,w_300", [{"crop": "scale", "width": 300}]),
        ("c_fit,h_200", [{"crop": "fit", "height": 200}]),
        (
            "c_crop,w_10,h_10,g_south_east",
            [{"crop": "crop", "width": 10, "height": 10, "gravity": "south_east"}],
        ),
        ("a_90", [{"angle": 90}]),
        ("a_hflip", [{"angle": "hflip"}]),
        ("a_vflip", [{"angle": "vflip"}]),
        ("e_grayscale", [{"effect": "grayscale"}]),
        ("e_negate", [{"effect": "negate"}]),
        ("e_sepia:30", [{"effect": "sepia:30"}]),
        ("e_blur:500", [{"effect": "blur:500"}]),
        ("e_sharpen", [{"effect": "sharpen:100"}]),
        ("e_pixelate:8", [{"effect": "pixelate:8"}]),
        ("e_brightness:-20", [{"effect": "brightness:-20"}]),
        ("e_contrast:40", [{"effect": "contrast:40"}]),
        ("e_saturation:-100", [{"effect": "saturation:-100"}]),
        ("r_20", [{"radius": 20}]),
        ("r_max", [{"radius": "max"}]),
        ("bo_5px_solid_red", [{"border": "5px_solid_rgb:ff0000"}]),
        ("f_webp,q_70", [{"fetch_format": "webp", "quality": 70}]),
        ("f_png", [{"fetch_format": "png", "quality": "auto"}]),
        ("q_60", [{"quality": 60}]),
        ("f_auto", [{"fetch_format": "auto", "quality": "auto"}]),
        (
            "c_fill,w_300,h_300/f_auto,q_70",
            [
                {"crop": "fill", "width": 300, "height": 300},
                {"fetch_format": "auto", "quality": 70},
            ],
        ),
        (
            "c_fill,e_sepia,h_300,r_20,w_300",
            [{"crop": "fill", "width": 300, "height": 300}, {"effect": "sepia:80"}, {"radius": 20}],
        ),
        (
            "c_fill,w_300,h_300/e_grayscale/r_max",
            [
                {"crop": "fill", "width": 300, "height": 300},
                {"effect": "grayscale"},
                {"radius": "max"},
            ],
        ),
    ],
)
def test_delivery_url_matches_the_sdk_and_is_signed(
    text: str, sdk_options: list[dict[str, Any]]
) -> None:
    url = delivery_url(STORAGE, "photos/abc123.jpg", parse(text))
    assert url == sdk_signed_url("photos/abc123", sdk_options)
    assert url.startswith("https://res.cloudinary.com/demo-cloud/image/upload/s--")
    assert "topsecret" not in url


@pytest.mark.parametrize("text", ["c_fill,w_300,h_300/e_grayscale", "c_fill,w_300,h_300/f_auto"])
async def test_link_url_redirects_to_the_signed_cdn_url(
    cloud_client: tuple[httpx.AsyncClient, Settings],  # noqa: F811
    text: str,
) -> None:
    client, _ = cloud_client
    owner = await UserFactory(client).create()
    photo = await PhotoFactory(client).upload(owner)
    link = (
        await client.post(
            f"/api/v1/photos/{photo['id']}/links",
            json={"transformation": text},
            headers=owner.headers,
        )
    ).json()
    # The CDN chooses f_auto's format itself: every browser is sent to the same URL.
    response = await client.get(
        "/s/" + link["url"].rsplit("/", 1)[1], headers={"Accept": "image/avif,image/webp,*/*"}
    )
    assert response.status_code == 302
    key = str(photo["url"]).split("/upload/", 1)[1].split("/", 1)[1]
    expected = delivery_url(
        CloudinaryStorage("cloudinary://123456:topsecret@demo-cloud"), key, parse(text)
    )
    assert response.headers["location"] == expected
    if "f_auto" in text:
        assert "/f_auto,q_auto/" in expected
