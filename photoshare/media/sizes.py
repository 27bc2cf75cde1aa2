"""The display sizes of a photo: names, bounds, and the storage keys they live under.

A photo is stored once at full size (``photos/<hex>.jpg``); its display sizes are WebP
files beside it (``photos/<hex>_thumb.webp``), or, on Cloudinary, delivery URLs of the
stored image. Grids show ``thumb``, the photo page ``preview``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from photoshare.media.formats import WEBP


@dataclass(frozen=True)
class DisplaySize:
    name: str
    # The size fits a box of this many pixels a side; it is never larger than the photo.
    box: int


THUMB = DisplaySize("thumb", 480)
PREVIEW = DisplaySize("preview", 1600)
# Largest first: each size is made from the one before it (one decode of the stored copy).
DISPLAY_SIZES = (PREVIEW, THUMB)
SIZE_FORMAT = WEBP
# BlurHash components across and down: enough for the light and colour of a photo.
PLACEHOLDER_COMPONENTS = (4, 3)


def size_key(key: str, size: DisplaySize) -> str:
    """The storage key of ``size`` of the image stored under ``key``."""
    return f"{key.rsplit('.', 1)[0]}_{size.name}.{SIZE_FORMAT.extension}"


def size_keys(key: str) -> list[str]:
    """Every display size key of the image stored under ``key``."""
    return [size_key(key, size) for size in DISPLAY_SIZES]


def cloudinary_size(size: DisplaySize) -> list[dict[str, Any]]:
    """``size`` as a Cloudinary transformation: ``c_limit,w_<box>,h_<box>,f_webp``."""
    return [
        {
            "crop": "limit",
            "width": size.box,
            "height": size.box,
            "fetch_format": SIZE_FORMAT.extension,
        }
    ]
