"""One process at a time owns an embedded data dir.

The embedded store lives in one process's memory and is written back to the data dir,
so two processes on one data dir would overwrite each other's work. The owner holds
an exclusive ``flock`` on ``photoshare.lock`` for its whole life: the kernel releases
it however the process ends (a crash or ``kill -9`` included), so a lock is never
stale. The file also says who holds it (pid, command, since when), for the message
that refuses a second process and for read-only commands that want to mention it.

A lock is held once per process: the CLI takes it before its command runs, and the
app's lifespan in the same process takes it again without conflict.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

LOCK_FILE = "photoshare.lock"


class DataDirInUse(RuntimeError):
    """Another process holds the data dir; the message names the dir and its holder."""


@dataclass
class _Held:
    fd: int
    users: int


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


def _command() -> str:
    return " ".join([Path(sys.argv[0]).name or "python", *sys.argv[1:]])


def _lock(fd: int) -> bool:
    """Take the exclusive lock without waiting; False when another process has it."""
    if sys.platform == "win32":  # no flock: the data dir is not guarded there
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _describe_holder(path: Path) -> str:
    try:
        pid, command, since = [*path.read_text().splitlines(), "", "", ""][:3]
    except OSError:
        pid = ""
    if not pid.isdigit():
        return "another process"
    return f"process {pid} ({command}, since {since})"


def acquire(data_dir: Path) -> None:
    """Hold the data dir for this process, or raise DataDirInUse naming its holder."""
    path = (data_dir / LOCK_FILE).resolve()
    with _guard:
        held = _held.get(path)
        if held is not None:
            held.users += 1
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _lock(fd):
            os.close(fd)
            raise DataDirInUse(
                f"the data dir {data_dir} is in use by {_describe_holder(path)}; "
                "stop that process first, or set PHOTOSHARE_DATA_DIR to another directory"
            )
        since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n{_command()}\n{since}\n".encode(), 0)
        _held[path] = _Held(fd, 1)


def release(data_dir: Path) -> None:
    """Give back one hold; the last one clears the holder and unlocks the file."""
    path = (data_dir / LOCK_FILE).resolve()
    with _guard:
        held = _held.get(path)
        if held is None:
            return
        held.users -= 1
        if held.users:
            return
        del _held[path]
        os.ftruncate(held.fd, 0)
        os.close(held.fd)  # closing the last descriptor releases the flock


@contextmanager
def holding(data_dir: Path) -> Iterator[None]:
    """Hold the data dir for the duration of the block."""
    acquire(data_dir)
    try:
        yield
    finally:
        release(data_dir)


def holder(data_dir: Path) -> str | None:
    """Who holds the data dir, when a live process does; read without taking the lock."""
    path = data_dir / LOCK_FILE
    try:
        pid = path.read_text().split("\n", 1)[0]
    except OSError:
        return None
    if not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return None  # killed without a chance to clear the file: nobody holds it
    except PermissionError:
        pass  # alive, under another user
    return _describe_holder(path)
