"""Benchmark a profile's statistics for a prolific commenter, and what it costs everyone else.

An account writes 3,000 comments of 1,000 characters, spread over six photos of another
account (500 each), through the API. Then, on the same embedded server:

1. ``GET /api/v1/users/<commenter>`` is fetched 40 times, one at a time: p50 and max;
2. while four clients fetch that profile in a loop, another client fetches ``/healthz``
   100 times: its p50 and max show whether the profile blocks the event loop.

Target: the profile answers in milliseconds (p50 < 50 ms) and ``/healthz`` stays
under 50 ms at worst while profiles are computed.

Run it from the repository root::

    .venv/bin/python scripts/bench_profile.py [--comments 3000]

The exit code is 0 whether or not the targets are met; non-zero when setup fails.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import httpx
from benchlib import (
    Account,
    expect,
    healthz_while,
    in_parallel,
    percentile,
    report_health,
    run_in_temp_dir,
    running_server,
    sign_up,
    verdict,
    warn_about_dotenv,
)

PROG = "bench_profile"
PHOTOS = 6
TEXT = ("Lovely light on the harbour this morning. " * 24)[:1000]


async def _seed(base_url: str, comments: int) -> str:
    owner, commenter = await sign_up(base_url, ["owner", "commenter"])
    async with httpx.AsyncClient(base_url=base_url, timeout=60.0) as client:
        photo_ids: list[str] = []
        for _ in range(PHOTOS):
            files = {"file": ("p.jpg", _tiny_jpeg(), "image/jpeg")}
            response = await client.post("/api/v1/photos", files=files, headers=owner.headers)
            photo_ids.append(str(expect(response, 201, "upload")["id"]))

        async def comment(index: int, author: Account = commenter) -> None:
            photo = photo_ids[index % PHOTOS]
            response = await client.post(
                f"/api/v1/photos/{photo}/comments", json={"text": TEXT}, headers=author.headers
            )
            expect(response, 201, "comment")

        started = time.perf_counter()
        await in_parallel(list(range(comments)), comment, concurrency=4)
        took = time.perf_counter() - started
        print(f"seeded {comments:,} comments of {len(TEXT)} characters in {took:.1f} s")
    return commenter.username


def _tiny_jpeg() -> bytes:
    import pyvips

    return bytes(pyvips.Image.black(64, 48, bands=3).jpegsave_buffer())


async def _timed_get(client: httpx.AsyncClient, path: str) -> float:
    started = time.perf_counter()
    expect(await client.get(path), 200, path)
    return (time.perf_counter() - started) * 1000


async def _measure(base_url: str, username: str) -> None:
    profile_path = f"/api/v1/users/{username}"
    async with httpx.AsyncClient(base_url=base_url, timeout=120.0) as client:
        body = expect(await client.get(profile_path), 200, "profile")
        print(f"profile says comments_count={body['comments_count']}")
        alone = [await _timed_get(client, profile_path) for _ in range(40)]
        print(f"profile, one client: p50 {percentile(alone, 50):.1f} ms, max {max(alone):.1f} ms")

        health = await healthz_while(client, lambda: _timed_get(client, profile_path))
    report_health(health, "4 profile readers")
    print(f"target profile p50 < 50 ms: {verdict(percentile(alone, 50) < 50)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=3000)
    args = parser.parse_args()
    warn_about_dotenv(PROG)

    def work(tmp: Path) -> int:
        with running_server(tmp, PROG) as server:
            username = asyncio.run(_seed(server.base_url, args.comments))
            asyncio.run(_measure(server.base_url, username))
        return 0

    return run_in_temp_dir(PROG, work)


if __name__ == "__main__":
    sys.exit(main())
