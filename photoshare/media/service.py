"""From an uploaded file to a stored, cleaned image, all or nothing."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from fastapi import UploadFile

from photoshare.media.images import NormalizedImage
from photoshare.media.uploads import received_file
from photoshare.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredImage:
    key: str
    image: NormalizedImage


async def store_upload(
    runtime: Runtime, upload: UploadFile, folder: str, *, square: int | None = None
) -> StoredImage:
    """Validate, clean and store an upload under a new key in ``folder``.

    Nothing is left behind when any step fails: the temp files go, and no key is stored.
    """
    settings = runtime.settings
    workdir = settings.temp_dir
    async with received_file(upload, workdir, settings.max_upload_bytes) as source:
        image = await runtime.images.normalize(
            source, workdir, max_pixels=settings.max_pixels, square=square
        )
    key = f"{folder}/{secrets.token_hex(16)}.{image.format.extension}"
    try:
        await runtime.storage.save(key, image.path, image.format.content_type)
    finally:
        image.path.unlink(missing_ok=True)
    return StoredImage(key=key, image=image)


async def discard(runtime: Runtime, *keys: str | None) -> None:
    """Remove stored objects; a failure is logged, never raised to the client."""
    for key in keys:
        if not key:
            continue
        try:
            await runtime.storage.delete(key)
        except Exception:
            log.exception("could not remove stored object %s", key)
