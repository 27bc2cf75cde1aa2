"""Rendered transformations cached on disk, each rendered once however many ask at once.

Renders run on their own workers, apart from uploads' (``media.images.ImageWorker``), so
however many renders are asked for, uploads keep their workers; and each render has a
time limit, past which it stops and nothing is cached.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import os
import re
import shutil
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import anyio.to_thread

from photoshare.errors import ServiceUnavailable
from photoshare.links.deadlines import RenderTimedOut
from photoshare.links.renderer import output_type, render
from photoshare.links.transformations import Transformation, canonical
from photoshare.media.responses import etag_of, media_type_of
from photoshare.media.uploads import new_temp_file

log = logging.getLogger(__name__)

T = TypeVar("T")

# What path_for names a render: the transformation's digest and the output's extension.
_RENDER_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z0-9]{2,5}$")


@dataclass(frozen=True)
class ServedRender:
    """A rendered file held in memory for a link's public URL."""

    path: Path
    content: bytes
    media_type: str
    etag: str
    expires: float
    # An f_auto render: one of the variants the Accept header chooses between.
    varies: bool = False


class HotRenders:
    """The most requested renders, in memory, by link slug (and f_auto variant).

    A hit costs one ``stat`` and no database query. The file stays the truth: a render
    deleted on disk (its photo was deleted, maybe by another worker) or replaced is a
    miss, and entries expire after ``ttl`` seconds so a link deleted elsewhere stops
    being served soon after.
    """

    def __init__(self, max_bytes: int = 64 << 20, max_file_bytes: int = 8 << 20, ttl: float = 60):
        # Keyed by (slug, variant); the variant is "" for a link of one fixed format.
        self._entries: OrderedDict[tuple[str, str], ServedRender] = OrderedDict()
        self._bytes = 0
        self._max_bytes, self._max_file_bytes, self._ttl = max_bytes, max_file_bytes, ttl

    def get(self, slug: str, variant: str = "") -> ServedRender | None:
        key = (slug, variant)
        entry = self._entries.get(key)
        if entry is None:
            return None
        try:
            current = etag_of(entry.path.stat())
        except FileNotFoundError:
            current = None
        if current != entry.etag or entry.expires < time.monotonic():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    async def load(
        self, slug: str, path: Path, variant: str = "", *, varies: bool | None = None
    ) -> ServedRender | None:
        """Read a render into memory (if small enough) and keep it under ``slug``.

        ``variant`` names which of an f_auto link's renders this is ("" for other links);
        ``varies`` says whether it is one of f_auto's (by default: there is a variant).
        """

        def read() -> tuple[bytes, str] | None:
            stat = path.stat()
            if stat.st_size > self._max_file_bytes:
                return None
            return path.read_bytes(), etag_of(stat)

        loaded = await anyio.to_thread.run_sync(read)
        if loaded is None:
            return None
        content, etag = loaded
        expires = time.monotonic() + self._ttl
        chosen = bool(variant) if varies is None else varies
        entry = ServedRender(path, content, media_type_of(path), etag, expires, chosen)
        key = (slug, variant)
        self._drop(key)
        self._entries[key] = entry
        self._bytes += len(content)
        while self._bytes > self._max_bytes and self._entries:
            self._drop(next(iter(self._entries)))
        return entry

    def forget(self, slug: str) -> None:
        """Drop every render held for the link ``slug``."""
        for key in [key for key in self._entries if key[0] == slug]:
            self._drop(key)

    def _drop(self, key: tuple[str, str]) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry.content)


class RenderPool:
    """Runs renders in worker threads, at most ``workers`` at a time, each time-limited.

    A render waits at most ``time_limit`` seconds for a free worker, then has as long
    again to finish (``work`` is given the limit and must stop itself: a thread cannot be
    stopped from outside). Either way the caller gets a 503 with Retry-After.
    """

    def __init__(self, workers: int, time_limit: float) -> None:
        self.time_limit = time_limit
        self._slots = asyncio.Semaphore(workers)

    async def run(self, work: Callable[[float], T]) -> T:
        """Run ``work(time_limit)`` in a worker thread once a worker is free."""
        retry_after = {"Retry-After": str(math.ceil(self.time_limit))}
        try:
            async with asyncio.timeout(self.time_limit):
                await self._slots.acquire()
        except TimeoutError:
            log.warning("no render worker was free within %g s", self.time_limit)
            raise ServiceUnavailable(
                "Every image renderer is busy; try again shortly", headers=retry_after
            ) from None
        try:
            return await anyio.to_thread.run_sync(lambda: work(self.time_limit))
        except RenderTimedOut:
            log.warning("a render was stopped at its %g s limit", self.time_limit)
            raise ServiceUnavailable(
                f"Rendering this image took longer than the {self.time_limit:g} s limit "
                "and was stopped; try again later",
                headers=retry_after,
            ) from None
        finally:
            self._slots.release()


class RenderCache:
    """Files under ``<data dir>/renders/<image content hash>/<transformation digest>.<ext>``.

    A render is written in ``workdir`` (the data dir's temp folder) and moved into place
    when complete, so the cache holds finished renders only.
    """

    def __init__(self, root: Path, pool: RenderPool, workdir: Path) -> None:
        self.root = root
        self.workdir = workdir
        self.hot = HotRenders()
        self._pool = pool
        self._in_flight: dict[Path, asyncio.Future[None]] = {}

    def path_for(self, content_hash: str, transformation: Transformation, extension: str) -> Path:
        digest = hashlib.sha256(canonical(transformation).encode()).hexdigest()[:32]
        return self.root / content_hash / f"{digest}.{extension}"

    def image_of(self, path: Path) -> str | None:
        """The content hash of the image whose finished render ``path`` is, else None."""
        if path.parent.parent != self.root or not _RENDER_NAME.match(path.name):
            return None
        return path.parent.name

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
            await self._pool.run(
                lambda limit: _render_atomically(
                    source, transformation, target, self.workdir, source_format, limit
                )
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
    source: Path,
    transformation: Transformation,
    target: Path,
    workdir: Path,
    source_format: str,
    limit: float,
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = new_temp_file(workdir, f".render.{target.suffix.lstrip('.')}")
    try:
        render(source, transformation, partial, source_format=source_format, time_limit=limit)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
