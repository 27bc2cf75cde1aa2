"""`photoshare serve` as a real process, stopped at once after its last response.

However it stops (killed, terminated, hung up on), every write it acknowledged is
there when it starts again on the same data dir.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.embedded.scenario import FAILED_LOGINS, find_every_kind, write_every_kind
from tests.factories import PhotoFactory, UserFactory
from tests.servers import free_port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def stop(self, how: signal.Signals) -> str:
        """Send ``how`` now, wait for the process to end and return its output."""
        self.process.send_signal(how)
        self.process.wait(timeout=30)
        return self.log.read_text()


@contextmanager
def photoshare_serve(data_dir: Path) -> Iterator[Server]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOSHARE_")}
    env.update(
        PHOTOSHARE_DATA_DIR=str(data_dir),
        PHOTOSHARE_ARGON2_MEMORY_KIB="64",
        PHOTOSHARE_ARGON2_TIME_COST="1",
        PHOTOSHARE_LOGIN_MAX_FAILURES_PER_ACCOUNT=str(FAILED_LOGINS),
    )
    log = data_dir.parent / f"serve-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "photoshare.cli", "serve", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 30
        while not _healthy(server):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _healthy(server: Server) -> bool:
    try:
        return httpx.get(f"{server.base}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def _replayed(output: str) -> int:
    found = re.search(r"(\d+) journal entries replayed", output)
    assert found is not None, output
    return int(found.group(1))


@pytest.mark.parametrize(
    "how", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP], ids=lambda how: how.name
)
async def test_every_acknowledged_write_survives_the_process_stopping(
    tmp_path: Path, how: signal.Signals
) -> None:
    data_dir = tmp_path / "data"
    with photoshare_serve(data_dir) as server:
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
            written = await write_every_kind(http)
            output = server.stop(how)
    if how == signal.SIGKILL:
        assert "saved to" not in output  # nothing was written at the end: the journal has it
    if how == signal.SIGTERM:
        assert "stopped cleanly" in output
        assert "Traceback" not in output

    with photoshare_serve(data_dir) as server:
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
            await find_every_kind(http, written)
        restarted = server.stop(signal.SIGTERM)
    if how == signal.SIGKILL:
        assert _replayed(restarted) > 0


async def test_a_burst_of_40_comments_then_sigkill_loses_none(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    texts = {f"comment number {n}" for n in range(40)}
    with photoshare_serve(data_dir) as server:
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
            author = await UserFactory(http).create("talker")
            photo = await PhotoFactory(http).upload(author)
            url = f"/api/v1/photos/{photo['id']}/comments"
            responses = await asyncio.gather(
                *(http.post(url, json={"text": text}, headers=author.headers) for text in texts)
            )
            assert [r.status_code for r in responses] == [201] * 40
            server.stop(signal.SIGKILL)

    with photoshare_serve(data_dir) as server, httpx.Client(base_url=server.base) as http:
        comments = http.get(url, params={"limit": 100}).json()
        assert {comment["text"] for comment in comments["items"]} == texts
        assert http.get(f"/api/v1/photos/{photo['id']}").json()["comments_count"] == 40
        assert http.get("/api/v1/users/talker").json()["comments_count"] == 40
