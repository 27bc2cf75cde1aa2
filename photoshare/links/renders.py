"""Rendered transformations cached on disk, each rendered once however many ask at once."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
from pathlib import Path

import anyio.to_thread

from photoshare.links.render import output_type, render
from photoshare.links.transformations import Transformation, canonical
from photoshare.media.images import ImageWorker
from photoshare.media.uploads import new_temp_file


class RenderCache:
    """Files under ``<data dir>/renders/<image content hash>/<transformation digest>.<ext>``."""

    def __init__(self, root: Path, images: ImageWorker) -> None:
        self.root = root
        self._images = images
        self._in_flight: dict[Path, asyncio.Future[None]] = {}

    def path_for(self, content_hash: str, transformation: Transformation, extension: str) -> Path:
        digest = hashlib.sha256(canonical(transformation).encode()).hexdigest()[:32]
        return self.root / content_hash / f"{digest}.{extension}"

    async def get(
        self, source: Path, content_hash: str, transformation: Transformation, source_format: str
    ) -> tuple[Path, bool]:
        """The rendered file, and whether it was rendered just now (not cached)."""
        out = output_type(transformation, source_format)
        target = self.path_for(content_hash, transformation, out.extension)
        if target.exists():
            return target, False
        running = self._in_flight.get(target)
        if running is not None:
            # Someone is rendering this already: wait for that instead of rendering twice.
            await asyncio.shield(running)
            return target, True
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._in_flight[target] = done
        try:
            await self._images.run(
                lambda: _render_atomically(source, transformation, target, source_format)
            )
        except BaseException as exc:
            done.set_exception(exc)
            done.exception()  # retrieved here, so a render nobody waited for logs nothing
            raise
        else:
            done.set_result(None)
        finally:
            del self._in_flight[target]
        return target, True

    async def drop(self, content_hash: str) -> None:
        """Remove every cached render of one image."""
        if not content_hash or "/" in content_hash or content_hash.startswith("."):
            return
        await anyio.to_thread.run_sync(
            lambda: shutil.rmtree(self.root / content_hash, ignore_errors=True)
        )


def _render_atomically(
    source: Path, transformation: Transformation, target: Path, source_format: str
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = new_temp_file(target.parent, f".part.{target.suffix.lstrip('.')}")
    try:
        render(source, transformation, partial, source_format=source_format)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
