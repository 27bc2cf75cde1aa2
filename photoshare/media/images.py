"""Image validation and normalisation with libvips.

An upload is trusted for nothing: its format is decided by its first bytes, its size
in pixels is read from the header before any decoding, and it is decoded by the one
loader that format names (so no polyglot reaches another loader). What is stored is
re-encoded upright (EXIF orientation applied) with every metadata block dropped. An
embedded ICC profile is used to convert the colours to sRGB and replaced by libvips'
own sRGB profile: the uploaded profile is the uploader's bytes and is never stored.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
import pyvips

from photoshare.errors import InvalidInput, UnsupportedMediaType
from photoshare.media.uploads import new_temp_file

log = logging.getLogger(__name__)

T = TypeVar("T")

# Decoded pixels are never reused between requests; libvips' operation cache would only
# hold on to memory.
pyvips.cache_set_max(0)

ACCEPTED_FORMATS = "JPEG, PNG, WebP, GIF, HEIC or AVIF"


@dataclass(frozen=True)
class ImageFormat:
    name: str
    extension: str
    content_type: str


JPEG = ImageFormat("jpeg", "jpg", "image/jpeg")
PNG = ImageFormat("png", "png", "image/png")
WEBP = ImageFormat("webp", "webp", "image/webp")
AVIF = ImageFormat("avif", "avif", "image/avif")
FORMATS = {f.name: f for f in (JPEG, PNG, WEBP, AVIF)}

_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}


def sniff(head: bytes) -> str | None:
    """Name the container format from a file's first bytes, or None when not accepted."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        compatible = {head[i : i + 4] for i in range(16, min(len(head), 64) - 3, 4)}
        if brand in _AVIF_BRANDS or (brand == b"mif1" and compatible & _AVIF_BRANDS):
            return "avif"
        if brand in _HEIC_BRANDS or compatible & _HEIC_BRANDS:
            return "heic"
    return None


# Each sniffed format goes to its own loader and is stored in a format browsers show.
_LOADERS = {
    "jpeg": ("jpegload", JPEG),
    "png": ("pngload", PNG),
    "gif": ("gifload", PNG),
    "webp": ("webpload", WEBP),
    "heic": ("heifload", JPEG),
    "avif": ("heifload", AVIF),
}

_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    # No optimize_coding: it holds every coefficient of the image in memory (~80 MB at 12 MP).
    "jpeg": {"Q": 88},
    "png": {"compression": 6},
    "webp": {"Q": 85},
    "avif": {"Q": 60, "effort": 2},
}


@dataclass(frozen=True)
class NormalizedImage:
    """A re-encoded image in a temporary file, ready to hand to storage."""

    path: Path
    format: ImageFormat
    width: int
    height: int
    bytes: int
    content_hash: str


def _load(source: Path, max_pixels: int) -> tuple[pyvips.Image, ImageFormat]:
    with source.open("rb") as handle:
        head = handle.read(64)
    if not head:
        raise InvalidInput("The file is empty")
    kind = sniff(head)
    if kind is None:
        raise UnsupportedMediaType(f"Not an accepted image; upload {ACCEPTED_FORMATS}")
    loader, stored_format = _LOADERS[kind]
    try:
        # Lazy: this reads the header only, so the pixel count is known before decoding.
        image = getattr(pyvips.Image, loader)(str(source), access="sequential", fail_on="truncated")
    except pyvips.Error as exc:
        if kind in ("heic", "avif") and "heifload" in str(exc) and "not found" in str(exc):
            raise UnsupportedMediaType(f"{kind.upper()} is not supported on this server") from exc
        raise InvalidInput(f"The {kind.upper()} file is broken and cannot be read") from exc
    pixels = image.width * image.height
    if pixels > max_pixels:
        raise InvalidInput(
            f"The image is {image.width}x{image.height} pixels; at most "
            f"{max_pixels // 1_000_000} megapixels are accepted"
        )
    return image, stored_format


def _to_srgb(image: pyvips.Image) -> pyvips.Image:
    """Convert the colours with the embedded profile and attach libvips' sRGB profile.

    A valid profile can carry anything in its tags (HTML included), and saving keeps
    the image's profile byte for byte; this one is libvips' own.
    """
    try:
        return image.icc_transform(
            "srgb", embedded=True, intent="perceptual", depth=16 if image.format == "ushort" else 8
        )
    except pyvips.Error:
        # No usable profile: keep the colours as they are and drop it.
        image = image.copy()
        image.remove("icc-profile-data")
        return image


def _square(image: pyvips.Image, size: int) -> pyvips.Image:
    side = min(size, image.width, image.height)
    return image.thumbnail_image(side, height=side, crop="attention")


def normalize(
    source: Path, workdir: Path, *, max_pixels: int, square: int | None = None
) -> NormalizedImage:
    """Validate ``source`` and write its cleaned copy to a new file in ``workdir``.

    Raises 415 for anything that is not an accepted image and 422 for a broken or
    too large one. ``square`` crops (around the most interesting part) to a square
    of at most that side, as avatars are.
    """
    image, stored_format = _load(source, max_pixels)
    if image.get_typeof("icc-profile-data"):
        image = _to_srgb(image)
    if image.get_typeof("orientation") and image.get("orientation") != 1:
        image = image.autorot()
    if square:
        image = _square(image, square)
    if stored_format is JPEG and image.hasalpha():
        image = image.flatten(background=[255, 255, 255])
    target = new_temp_file(workdir, f".{stored_format.extension}")
    try:
        image.write_to_file(
            str(target),
            keep=pyvips.enums.ForeignKeep.ICC,
            **_SAVE_OPTIONS[stored_format.name],
        )
        width, height = image.width, image.height
        digest = hashlib.sha256()
        with target.open("rb") as written:
            for chunk in iter(lambda: written.read(1 << 20), b""):
                digest.update(chunk)
        return NormalizedImage(
            path=target,
            format=stored_format,
            width=width,
            height=height,
            bytes=target.stat().st_size,
            content_hash=digest.hexdigest(),
        )
    except pyvips.Error as exc:
        target.unlink(missing_ok=True)
        raise InvalidInput("The image is broken or truncated and cannot be decoded") from exc
    except BaseException:
        target.unlink(missing_ok=True)
        raise


class ImageWorker:
    """Runs image work in worker threads, at most ``concurrency`` at a time.

    Decoding is CPU- and memory-heavy; the bound keeps both within the machine's
    means however many requests arrive at once.
    """

    def __init__(self, concurrency: int) -> None:
        self._slots = asyncio.Semaphore(concurrency)

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` in a worker thread once a slot is free."""
        async with self._slots:
            return await anyio.to_thread.run_sync(work)

    async def normalize(
        self, source: Path, workdir: Path, *, max_pixels: int, square: int | None = None
    ) -> NormalizedImage:
        return await self.run(
            lambda: normalize(source, workdir, max_pixels=max_pixels, square=square)
        )
