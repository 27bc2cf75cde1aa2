"""How each storage backend delivers a transformed image: rendered here, or by the CDN."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cloudinary.utils
import pytest

from photoshare.media.storage import CloudinaryStorage, LocalStorage

KEY = "photos/0123456789abcdef0123456789abcdef.jpg"
STEPS = [{"crop": "fill", "width": 300, "height": 300}, {"effect": "grayscale"}]
STORAGE_URL = "cloudinary://123456:topsecret@demo-cloud"


def sdk_signed_url(public_id: str, steps: list[dict[str, Any]], extension: str = "jpg") -> str:
    """What Cloudinary's own SDK signs for the demo cloud of STORAGE_URL."""
    url, _ = cloudinary.utils.cloudinary_url(
        public_id,
        transformation=steps,
        format=extension,
        secure=True,
        sign_url=True,
        cloud_name="demo-cloud",
        api_key="123456",
        api_secret="topsecret",
    )
    return str(url)


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
    storage = CloudinaryStorage(STORAGE_URL)
    assert storage.local_file(KEY) is None
    url = storage.transformed_url(KEY, STEPS)
    assert url == sdk_signed_url(KEY.rsplit(".", 1)[0], STEPS)
    assert url.startswith("https://res.cloudinary.com/demo-cloud/image/upload/s--")
    assert "/c_fill,h_300,w_300/e_grayscale/v1/photos/" in url
