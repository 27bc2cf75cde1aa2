"""What an interrupted process can leave on disk, found and removed.

Writes are ordered so that a crash at any instant leaves at worst a file nothing
refers to, never a photo without its file: an image is stored before its record is
written, and deleted after its record is. So a crash can leave:

- temp files in the data dir's temp folder (uploads and renders in progress);
- stored files no photo or avatar refers to (the upload's record was never written),
  and cached renders of an image no photo has any more.

An unreferenced file younger than the grace period is kept: it may be an upload in
flight, whose file is written before its record. Only local storage is reconciled;
images on Cloudinary are not listed (temp files are still removed).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread

from photoshare.media.storage import KEY_PATTERN, LocalStorage
from photoshare.photos import service as photos
from photoshare.runtime import Runtime
from photoshare.users import service as users

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FoundFile:
    path: Path
    size: int
    modified: float


@dataclass
class StorageSurvey:
    """What the data dir holds that it should not, and what it lacks."""

    temp_files: list[FoundFile] = field(default_factory=list)
    orphans: list[FoundFile] = field(default_factory=list)
    # Unreferenced but younger than the grace period: kept.
    recent: list[FoundFile] = field(default_factory=list)
    # Keys a photo or an avatar refers to, with no file.
    missing: list[str] = field(default_factory=list)
    # False when the images are not on local disk: only temp files were looked at.
    reconciled: bool = True


def _files(root: Path) -> list[FoundFile]:
    """Every regular file under ``root``, with its size and modification time."""
    found = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            try:
                stat = path.lstat()
            except FileNotFoundError:
                continue  # removed while we looked
            if path.is_file() and not path.is_symlink():
                found.append(FoundFile(path, stat.st_size, stat.st_mtime))
    return found


def _media_key(storage: LocalStorage, path: Path) -> str | None:
    """The key a stored file (or its partial copy) is under; None for anything else."""
    relative = path.relative_to(storage.root)
    name = relative.name
    if name.startswith(".") and name.endswith(".part"):
        finished = relative.with_name(name[1:-5]).as_posix()
        return relative.as_posix() if KEY_PATTERN.match(finished) else None
    key = relative.as_posix()
    return key if KEY_PATTERN.match(key) else None


async def survey(runtime: Runtime, *, temp_before: float, orphan_before: float) -> StorageSurvey:
    """Find leftovers: temp files older than ``temp_before`` and unreferenced files.

    Unreferenced files older than ``orphan_before`` are orphans; the others are recent.
    """
    temp = await anyio.to_thread.run_sync(_files, runtime.settings.temp_dir)
    result = StorageSurvey(temp_files=[f for f in temp if f.modified < temp_before])
    storage = runtime.storage
    if not isinstance(storage, LocalStorage):
        result.reconciled = False
        return result
    # Files are listed before references are read: a file stored after the listing is
    # not judged, and one stored before it is referenced by then or is recent.
    stored = await anyio.to_thread.run_sync(_files, storage.root)
    renders = await anyio.to_thread.run_sync(_files, runtime.renders.root)
    photo_keys, image_hashes = await photos.stored_images()
    referenced = photo_keys | await users.avatar_keys()
    keys = {found.path: _media_key(storage, found.path) for found in stored}
    unreferenced = [
        f for f in stored if keys[f.path] is not None and keys[f.path] not in referenced
    ]
    unreferenced += [f for f in renders if runtime.renders.image_of(f.path) not in image_hashes]
    for found in unreferenced:
        (result.orphans if found.modified < orphan_before else result.recent).append(found)
    listed = set(keys.values())
    result.missing = sorted(
        key for key in referenced - listed if not storage.path(key).exists()
    )  # stat again: stored after the listing is not missing
    return result


def _remove(files: list[FoundFile], root_of_renders: Path) -> None:
    for found in files:
        found.path.unlink(missing_ok=True)
        folder = found.path.parent
        if folder.parent == root_of_renders:
            with contextlib.suppress(OSError):  # not empty: other renders of a live image
                folder.rmdir()


async def remove(runtime: Runtime, files: list[FoundFile], what: str) -> None:
    """Delete leftover files, logging each one."""
    for found in files:
        log.info("removing %s %s (%s)", what, found.path, size_text(found.size))
    await anyio.to_thread.run_sync(_remove, files, runtime.renders.root)


def size_text(size: int) -> str:
    """A byte count as people read it: 512 B, 3.4 KB, 12.0 MB."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def total_text(files: list[FoundFile]) -> str:
    return f"{len(files)} ({size_text(sum(f.size for f in files))})"


async def remove_temp_files(runtime: Runtime, before: float) -> None:
    """Remove temp files of uploads and renders a stopped process left behind."""
    temp = await anyio.to_thread.run_sync(_files, runtime.settings.temp_dir)
    leftovers = [found for found in temp if found.modified < before]
    if leftovers:
        log.info("removing %s temp files of interrupted work", total_text(leftovers))
        await remove(runtime, leftovers, "temp file")


async def reconcile(runtime: Runtime, started: float) -> None:
    """Remove stored files nothing refers to that are older than the grace period."""
    try:
        await _reconcile(runtime, started)
    except Exception:
        # Housekeeping: the service goes on serving, and the next start tries again.
        log.exception("could not reconcile the stored images")


async def _reconcile(runtime: Runtime, started: float) -> None:
    began = time.monotonic()
    grace = runtime.settings.orphan_grace_seconds
    found = await survey(runtime, temp_before=0, orphan_before=started - grace)
    if found.orphans:
        log.info("removing %s unreferenced images and renders", total_text(found.orphans))
        await remove(runtime, found.orphans, "unreferenced file")
    if found.recent:
        log.info(
            "keeping %s unreferenced files younger than %d s (PHOTOSHARE_ORPHAN_GRACE_SECONDS)",
            total_text(found.recent),
            grace,
        )
    for key in found.missing:
        log.warning("stored image %s is missing: its photo or avatar shows no image", key)
    log.info("storage reconciled in %.2f s", time.monotonic() - began)
