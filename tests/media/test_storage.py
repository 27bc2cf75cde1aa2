"""How each storage backend delivers a transformed image: rendered here, or by the CDN."""

from __future__ import annotations

from pathlib import Path

import cloudinary.utils
import pytest

from photoshare.media.storage import CloudinaryStorage, LocalStorage

KEY = "photos/0123456789abcdef0123456789abcdef.jpg"
STEPS = [{"crop": "fill", "width": 300, "height": 300}, {"effect": "grayscale"}]


def test_local_storage_renders_from_its_own_file(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media", "http://testserver")
    assert storage.transformed_url(KEY, STEPS) is None
    assert storage.local_file(KEY) == tmp_path / "media" / KEY


@pytest.mark.parametrize(
    "key",
    [
        "../secrets.jpg",
        "photos/../../etc/passwd",
        "renders/0123/abcd.jpg",
        "photos/0123456789abcdef.gif",
        "photos/ABCDEF.jpg",
        "photos/01/23.jpg",
    ],
)
def test_local_storage_has_no_file_for_what_is_not_a_key(tmp_path: Path, key: str) -> None:
    assert LocalStorage(tmp_path, "http://testserver").local_file(key) is None


def test_cloudinary_redirects_to_its_signed_transformed_url() -> None:
    storage = CloudinaryStorage("cloudinary://123456:topsecret@demo-cloud")
    assert storage.local_file(KEY) is None
    url = storage.transformed_url(KEY, STEPS)
    expected, _ = cloudinary.utils.cloudinary_url(
        KEY.rsplit(".", 1)[0],
        transformation=STEPS,
        format="jpg",
        secure=True,
        sign_url=True,
        cloud_name="demo-cloud",
        api_key="123456",
        api_secret="topsecret",
    )
    assert url == expected
    assert url.startswith("https://res.cloudinary.com/demo-cloud/image/upload/s--")
    assert "/c_fill,h_300,w_300/e_grayscale/v1/photos/" in url
