"""From an uploaded file to a stored, cleaned image, all or nothing."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
import httpx
from fastapi import UploadFile

from photoshare.media.derivatives import Derivatives
from photoshare.media.images import NormalizedImage
from photoshare.media.sizes import DISPLAY_SIZES, SIZE_FORMAT, cloudinary_size, size_key, size_keys
from photoshare.media.uploads import CHUNK, new_temp_file, received_file
from photoshare.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredImage:
    key: str
    image: NormalizedImage


@dataclass(frozen=True)
class SizeLink:
    """Where a display size is served, and its dimensions."""

    url: str
    width: int
    height: int


async def store_upload(
    runtime: Runtime,
    upload: UploadFile,
    folder: str,
    *,
    square: int | None = None,
    display_sizes: bool = False,
) -> StoredImage:
    """Validate, clean and store an upload under a new key in ``folder``.

    With ``display_sizes`` its display sizes are stored beside it. Nothing is left
    behind when any step fails: the temp files go, and no key is stored.
    """
    settings = runtime.settings
    workdir = settings.temp_dir
    async with received_file(upload, workdir, settings.max_upload_bytes) as source:
        image = await runtime.images.normalize(
            source,
            workdir,
            max_pixels=settings.max_pixels,
            square=square,
            display_sizes=display_sizes,
        )
    key = f"{folder}/{secrets.token_hex(16)}.{image.format.extension}"
    try:
        await runtime.storage.save(key, image.path, image.format.content_type)
        if image.derivatives is not None:
            await store_sizes(runtime, key, image.derivatives)
    except BaseException:
        await discard(runtime, *stored_keys(runtime, key))
        raise
    finally:
        image.remove_files()
    return StoredImage(key=key, image=image)


async def store_sizes(runtime: Runtime, key: str, derivatives: Derivatives) -> None:
    """Store the display sizes of the image under ``key`` beside it (their temp files go)."""
    try:
        if not runtime.storage.makes_sizes:
            for made in derivatives.sizes:
                await runtime.storage.save(
                    size_key(key, made.size), made.path, SIZE_FORMAT.content_type
                )
    finally:
        derivatives.remove_files()


def size_files(runtime: Runtime, key: str) -> list[str]:
    """The keys of the display size files of the image under ``key`` (none on Cloudinary)."""
    return [] if runtime.storage.makes_sizes else size_keys(key)


def stored_keys(runtime: Runtime, key: str) -> list[str]:
    """Every object stored for the image under ``key``: itself and its size files."""
    return [key, *size_files(runtime, key)]


def size_links(
    runtime: Runtime, key: str, sizes: dict[str, tuple[int, int]]
) -> dict[str, SizeLink]:
    """The display sizes of the image under ``key`` (by name, with their dimensions)."""
    links = {}
    for size in DISPLAY_SIZES:
        width, height = sizes[size.name]
        if runtime.storage.makes_sizes:
            url = runtime.storage.transformed_url(key, cloudinary_size(size)) or ""
        else:
            url = runtime.storage.url(size_key(key, size))
        links[size.name] = SizeLink(url, width, height)
    return links


async def discard(runtime: Runtime, *keys: str | None) -> None:
    """Remove stored objects; a failure is logged, never raised to the client."""
    for key in keys:
        if not key:
            continue
        try:
            await runtime.storage.delete(key)
        except Exception:
            log.exception("could not remove stored object %s", key)


@asynccontextmanager
async def stored_copy(runtime: Runtime, key: str) -> AsyncIterator[Path]:
    """The stored image under ``key`` as a file on this machine, for the time of the block.

    A local file is used where it is; an image kept elsewhere is downloaded to a temp file.
    """
    local = runtime.storage.local_file(key)
    if local is not None:
        yield local
        return
    workdir = runtime.settings.temp_dir
    path = await anyio.to_thread.run_sync(new_temp_file, workdir, ".download")
    try:
        async with (
            httpx.AsyncClient(timeout=60) as client,
            client.stream("GET", runtime.storage.url(key)) as response,
        ):
            response.raise_for_status()
            with path.open("wb") as out:
                async for chunk in response.aiter_bytes(CHUNK):
                    out.write(chunk)
        yield path
    finally:
        path.unlink(missing_ok=True)
