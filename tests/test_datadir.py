"""One process per embedded data dir: the lock, its holder, and no stale lock after kill -9."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
import pytest

from photoshare import datadir
from photoshare.app import create_app
from photoshare.config import Settings
from tests.servers import lifespan

_HOLD = """
import sys
from pathlib import Path
from photoshare import datadir
datadir.acquire(Path(sys.argv[1]))
print("held", flush=True)
sys.stdin.read()
"""


@contextmanager
def held_elsewhere(data_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the data dir, until it is killed."""
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "held\n"
        yield process
    finally:
        process.kill()
        process.wait(timeout=10)


def test_a_held_data_dir_is_refused_naming_its_holder(tmp_path: Path) -> None:
    with held_elsewhere(tmp_path) as holder:
        with pytest.raises(datadir.DataDirInUse) as refused:
            datadir.acquire(tmp_path)
        message = str(refused.value)
        assert str(tmp_path) in message and f"process {holder.pid}" in message
        assert datadir.holder(tmp_path) is not None


def test_kill_9_leaves_no_stale_lock(tmp_path: Path) -> None:
    with held_elsewhere(tmp_path) as holder:
        holder.kill()  # SIGKILL: no chance to clean up
        holder.wait(timeout=10)
        # The pid is still written in the file, but nobody holds the lock.
        assert str(holder.pid) in (tmp_path / datadir.LOCK_FILE).read_text()
        assert datadir.holder(tmp_path) is None
        with datadir.holding(tmp_path):
            assert datadir.holder(tmp_path) is not None
    # Released: the file no longer names a holder.
    assert datadir.holder(tmp_path) is None


async def test_the_app_holds_its_data_dir_while_it_runs(settings: Settings) -> None:
    app = create_app(settings)
    async with lifespan(app):
        assert datadir.holder(settings.data_dir) is not None
        # Another process is refused while the app runs...
        probe = await anyio.run_process(
            [sys.executable, "-c", _HOLD, str(settings.data_dir)], input=b"", check=False
        )
        assert probe.returncode != 0 and b"DataDirInUse" in probe.stderr
    # ...and welcome once it stopped.
    assert datadir.holder(settings.data_dir) is None
    with held_elsewhere(settings.data_dir):
        pass
