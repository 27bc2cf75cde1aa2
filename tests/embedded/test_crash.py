"""`photoshare serve` as a real process, stopped at once after its last response.

However it stops (killed, terminated, hung up on), every write it acknowledged is
there when it starts again on the same data dir.
"""

from __future__ import annotations

import asyncio
import re
import signal
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from tests.embedded.scenario import FAILED_LOGINS, find_every_kind, write_every_kind
from tests.factories import PhotoFactory, UserFactory
from tests.servers import ServeProcess, serving


def photoshare_serve(data_dir: Path, log: str) -> AbstractContextManager[ServeProcess]:
    return serving(
        data_dir,
        data_dir.parent / log,
        PHOTOSHARE_LOGIN_MAX_FAILURES_PER_ACCOUNT=str(FAILED_LOGINS),
        # A burst beyond what one person may post: the write limit is not what this tests.
        PHOTOSHARE_RATE_LIMIT_COMMENTS_PER_MINUTE="1000",
    )


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
    with photoshare_serve(data_dir, "first.log") as server:
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
            written = await write_every_kind(http)
            server.stop(how)
            output = server.output
    if how == signal.SIGKILL:
        assert "saved to" not in output  # nothing was written at the end: the journal has it
    if how == signal.SIGTERM:
        assert "stopped cleanly" in output
        assert "Traceback" not in output

    with photoshare_serve(data_dir, "second.log") as server:
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
            await find_every_kind(http, written)
        server.stop(signal.SIGTERM)
        restarted = server.output
    if how == signal.SIGKILL:
        assert _replayed(restarted) > 0


async def test_a_burst_of_40_comments_then_sigkill_loses_none(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    texts = {f"comment number {n}" for n in range(40)}
    with photoshare_serve(data_dir, "first.log") as server:
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
            author = await UserFactory(http).create("talker")
            photo = await PhotoFactory(http).upload(author)
            url = f"/api/v1/photos/{photo['id']}/comments"
            responses = await asyncio.gather(
                *(http.post(url, json={"text": text}, headers=author.headers) for text in texts)
            )
            assert [r.status_code for r in responses] == [201] * 40
            server.stop(signal.SIGKILL)

    with (
        photoshare_serve(data_dir, "second.log") as server,
        httpx.Client(base_url=server.base) as http,
    ):
        comments = http.get(url, params={"limit": 100}).json()
        assert {comment["text"] for comment in comments["items"]} == texts
        assert http.get(f"/api/v1/photos/{photo['id']}").json()["comments_count"] == 40
        assert http.get("/api/v1/users/talker").json()["comments_count"] == 40
