"""Image normalisation with libvips: what is stored of an upload.

An upload is trusted for nothing (``decoding`` checks and opens it). What is stored is
re-encoded upright (EXIF orientation applied) with every metadata block dropped. An
embedded ICC profile is used to convert the colours to sRGB and replaced by libvips'
own sRGB profile: the uploaded profile is the uploader's bytes and is never stored.
CMYK without a profile is converted with libvips' built-in CMYK profile.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread

from photoshare.media.decoding import explain_failure, open_upload, orientation
from photoshare.media.derivatives import Derivatives, derive
from photoshare.media.formats import AVIF, JPEG, PNG, WEBP, ImageFormat
from photoshare.media.metadata import CameraFacts, camera_facts
from photoshare.media.uploads import new_temp_file
from photoshare.media.vips import pyvips

log = logging.getLogger(__name__)

T = TypeVar("T")

# Each sniffed format is stored in a format browsers show.
_STORED_AS = {"jpeg": JPEG, "png": PNG, "gif": PNG, "webp": WEBP, "heic": JPEG, "avif": AVIF}

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
    # Display sizes and placeholder, when asked for (photos, not avatars).
    derivatives: Derivatives | None = None
    # Read from the upload's EXIF before it is dropped (media.metadata).
    camera: CameraFacts = field(default_factory=CameraFacts)

    def remove_files(self) -> None:
        self.path.unlink(missing_ok=True)
        if self.derivatives is not None:
            self.derivatives.remove_files()


def _to_srgb(image: pyvips.Image) -> pyvips.Image:
    """Convert the colours to sRGB and attach libvips' own sRGB profile.

    A valid profile can carry anything in its tags (HTML included), and saving keeps
    the image's profile byte for byte; the one stored is libvips'.
    """
    depth = 16 if image.format == "ushort" else 8
    if image.get_typeof("icc-profile-data"):
        try:
            return image.icc_transform("srgb", embedded=True, intent="perceptual", depth=depth)
        except pyvips.Error:
            # No usable profile: drop it and go on as if there were none.
            image = image.copy()
            image.remove("icc-profile-data")
    if image.interpretation == "cmyk":
        return image.icc_transform("srgb", input_profile="cmyk", intent="perceptual", depth=depth)
    return image


def _square(image: pyvips.Image, size: int) -> pyvips.Image:
    side = min(size, image.width, image.height)
    return image.thumbnail_image(side, height=side, crop="attention")


def _prepared(image: pyvips.Image, stored_format: ImageFormat, square: int | None) -> pyvips.Image:
    """The pipeline from the decoded file to what is stored: sRGB, upright, cropped."""
    image = _to_srgb(image)
    if orientation(image) != 1:
        image = image.autorot()
    if square:
        image = _square(image, square)
    if stored_format is JPEG and image.hasalpha():
        image = image.flatten(background=[255, 255, 255])
    return image


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as written:
        for chunk in iter(lambda: written.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def normalize(
    source: Path,
    workdir: Path,
    *,
    max_pixels: int,
    square: int | None = None,
    display_sizes: bool = False,
) -> NormalizedImage:
    """Validate ``source`` and write its cleaned copy to a new file in ``workdir``.

    Raises 415 for anything that is not an accepted image, 422 for a broken or too
    large one, and 422 saying so (logged) when a valid image fails in our hands.
    ``square`` crops (around the most interesting part) to a square of at most that
    side, as avatars are.
    """
    upload, image = open_upload(source, max_pixels)
    camera = camera_facts(image, upload.exif)
    stored_format = _STORED_AS[upload.kind]
    target = new_temp_file(workdir, f".{stored_format.extension}")
    try:
        image = _prepared(image, stored_format, square)
        image.write_to_file(
            str(target), keep=pyvips.enums.ForeignKeep.ICC, **_SAVE_OPTIONS[stored_format.name]
        )
        width, height = image.width, image.height
        del image  # a turned photo's decoded pixels go before the sizes are made
        return NormalizedImage(
            path=target,
            format=stored_format,
            width=width,
            height=height,
            bytes=target.stat().st_size,
            content_hash=_sha256(target),
            derivatives=derive(target, workdir) if display_sizes else None,
            camera=camera,
        )
    except pyvips.Error as exc:
        target.unlink(missing_ok=True)
        raise explain_failure(upload, exc) from exc
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
        self,
        source: Path,
        workdir: Path,
        *,
        max_pixels: int,
        square: int | None = None,
        display_sizes: bool = False,
    ) -> NormalizedImage:
        return await self.run(
            lambda: normalize(
                source,
                workdir,
                max_pixels=max_pixels,
                square=square,
                display_sizes=display_sizes,
            )
        )

    async def derive(self, stored: Path, workdir: Path) -> Derivatives:
        """The display sizes and placeholder of an already stored image."""
        return await self.run(lambda: derive(stored, workdir))
