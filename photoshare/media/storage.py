"""Where stored images live: local disk under the data dir, or Cloudinary.

Both backends take a file the image pipeline has already validated and cleaned,
under a key the service chose (``photos/<hex>.jpg``), and answer with the public
URL for that key. Each also says how a transformed image is delivered: local files
are rendered by the app (``local_file``), Cloudinary transforms its own images
(``transformed_url``).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

import anyio.to_thread
import cloudinary.uploader
import cloudinary.utils

from photoshare.config import Settings
from photoshare.errors import ServiceUnavailable
from photoshare.media.formats import BY_EXTENSION
from photoshare.media.sizes import DISPLAY_SIZES

log = logging.getLogger(__name__)

# What media.service.store_upload names a stored image: ``<folder>/<random hex>.<extension>``,
# and its display sizes beside it: ``<folder>/<random hex>_<size>.webp`` (media.sizes).
_SIZE_SUFFIX = "|".join(size.name for size in DISPLAY_SIZES)
KEY_PATTERN = re.compile(
    rf"^(photos|avatars)/[0-9a-f]{{2,64}}(_({_SIZE_SUFFIX}))?\.({'|'.join(BY_EXTENSION)})$"
)
# A transformation as the Cloudinary SDK's list of options (photoshare.links.cloudinary).
SdkTransformation = Sequence[Mapping[str, Any]]


class Storage(Protocol):
    # True when the backend serves display sizes of a stored image itself (delivery URLs);
    # else media.service stores them as files beside it.
    makes_sizes: bool

    async def save(self, key: str, source: Path, content_type: str) -> None:
        """Store the file at ``source`` under ``key`` (the source is consumed)."""

    async def delete(self, key: str) -> None:
        """Remove a stored object; removing a missing one is not an error."""

    def url(self, key: str) -> str:
        """The public URL that serves ``key``."""

    def local_file(self, key: str) -> Path | None:
        """The file of ``key`` on this machine; None when the backend keeps it elsewhere.

        None for anything that is not a storage key, too.
        """

    def transformed_url(self, key: str, transformation: SdkTransformation) -> str | None:
        """Where the backend itself serves ``key`` transformed; None when the app renders it."""


def _sync(path: Path) -> None:
    """Flush a file's content, or a folder's entries, to disk."""
    if os.name != "posix" and path.is_dir():
        return  # folders cannot be opened for syncing there
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalStorage:
    """Files under ``<data dir>/media``, served by the app at ``/media/<key>``."""

    makes_sizes = False

    def __init__(self, root: Path, base_url: str) -> None:
        self.root = root
        self._base_url = base_url
        root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        if not KEY_PATTERN.match(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    async def save(self, key: str, source: Path, content_type: str) -> None:
        target = self.path(key)

        def move() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.part")
            shutil.move(source, tmp)
            # On disk before the database record that will point at it is written, so
            # even a power cut leaves at worst an unreferenced file, never a photo
            # without its file.
            _sync(tmp)
            os.replace(tmp, target)
            _sync(target.parent)

        await anyio.to_thread.run_sync(move)

    async def delete(self, key: str) -> None:
        await anyio.to_thread.run_sync(lambda: self.path(key).unlink(missing_ok=True))

    def url(self, key: str) -> str:
        return f"{self._base_url}/media/{key}"

    def local_file(self, key: str) -> Path | None:
        return self.root / key if KEY_PATTERN.match(key) else None

    def transformed_url(self, key: str, transformation: SdkTransformation) -> None:
        return None  # the app renders transformations of local files itself


def parse_cloudinary_url(url: str) -> dict[str, Any]:
    """Split ``cloudinary://key:secret@cloud?option=value`` into SDK options."""
    parts = urlsplit(url)
    if parts.scheme != "cloudinary" or not parts.hostname or not parts.username:
        raise ValueError("CLOUDINARY_URL must look like cloudinary://API_KEY:API_SECRET@CLOUD_NAME")
    options: dict[str, Any] = {
        "cloud_name": parts.hostname,
        "api_key": parts.username,
        "api_secret": parts.password or "",
    }
    options.update(parse_qsl(parts.query))
    return options


class CloudinaryStorage:
    """Images on Cloudinary; the public id is the key without its extension."""

    makes_sizes = True

    def __init__(self, cloudinary_url: str) -> None:
        self.options = parse_cloudinary_url(cloudinary_url)

    @staticmethod
    def public_id(key: str) -> str:
        return key.rsplit(".", 1)[0]

    async def save(self, key: str, source: Path, content_type: str) -> None:
        def upload() -> dict[str, Any]:
            try:
                return cloudinary.uploader.upload(  # type: ignore[no-any-return]
                    str(source),
                    public_id=self.public_id(key),
                    resource_type="image",
                    overwrite=True,
                    timeout=60,
                    **self.options,
                )
            finally:
                source.unlink(missing_ok=True)

        try:
            await anyio.to_thread.run_sync(upload)
        except Exception as exc:
            log.exception("Cloudinary upload of %s failed", key)
            raise ServiceUnavailable("The image store is not answering; try again") from exc

    async def delete(self, key: str) -> None:
        def destroy() -> None:
            cloudinary.uploader.destroy(
                self.public_id(key),
                resource_type="image",
                invalidate=True,
                timeout=30,
                **self.options,
            )

        await anyio.to_thread.run_sync(destroy)

    def url(self, key: str) -> str:
        public_id, extension = key.rsplit(".", 1)
        url, _ = cloudinary.utils.cloudinary_url(
            public_id, secure=True, format=extension, **self.options
        )
        return str(url)

    def local_file(self, key: str) -> None:
        return None

    def transformed_url(self, key: str, transformation: SdkTransformation) -> str:
        """The signed URL where Cloudinary serves ``key`` transformed."""
        public_id, extension = key.rsplit(".", 1)
        url, _ = cloudinary.utils.cloudinary_url(
            public_id,
            transformation=[dict(step) for step in transformation],
            format=extension,
            secure=True,
            sign_url=True,
            **self.options,
        )
        return str(url)


def build_storage(settings: Settings) -> Storage:
    """The configured backend: Cloudinary when CLOUDINARY_URL is set, else local disk."""
    if settings.cloudinary_url is not None:
        return CloudinaryStorage(settings.cloudinary_url.get_secret_value())
    return LocalStorage(settings.data_dir / "media", settings.base_url)
