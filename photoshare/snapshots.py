"""Small file helpers for the embedded mode's snapshots in the data dir."""

from __future__ import annotations

import os
from pathlib import Path

import anyio.to_thread


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _read_if_present(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


async def write_snapshot(path: Path, text: str) -> None:
    """Replace a snapshot file in one step, so a crash never leaves half a file."""
    await anyio.to_thread.run_sync(_write_atomically, path, text)


async def read_snapshot(path: Path) -> str | None:
    """The snapshot's text, or None when there is none yet."""
    return await anyio.to_thread.run_sync(_read_if_present, path)
