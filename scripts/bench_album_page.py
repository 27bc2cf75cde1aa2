"""Benchmark an album share page: a full album (1,000 photos) behind a link, page by page.

An account uploads small photos and fills one album with them through the API, then
shares it twice: a plain link and a password link. On the same embedded server:

1. page 1 (200 photos) of the plain link is fetched 30 times, one at a time: p50, max, bytes;
2. the last page (5) likewise;
3. page 1 of the password link, with its cookie: p50, max (the gate's counted view);
4. while four clients fetch page 1 in a loop, another fetches ``/healthz`` 100 times: its
   p50 and max show whether rendering pages blocks the event loop.

Target: a page of 200 photos answers in p50 < 100 ms, and ``/healthz`` stays under
50 ms at worst while pages are rendered.

Usage (from the repository root; exit code 0 met or not, 1 when the setup fails)::

    .venv/bin/python scripts/bench_album_page.py [--photos 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

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

PROG = "bench_album_page"
LINK_PASSWORD = "sea breeze 2026"  # noqa: S105 (a throwaway link's, on a throwaway server)
ROUNDS = 30


def _small_jpeg(number: int) -> bytes:
    import pyvips

    shade = [number % 256, (number * 7) % 256, (number * 13) % 256]
    return bytes((pyvips.Image.black(320, 240) + shade).cast("uchar").jpegsave_buffer())


async def _seed(base_url: str, photos: int) -> tuple[str, str]:
    """A full album's two links: plain, and with a password."""
    [owner] = await sign_up(base_url, ["traveller"])
    async with httpx.AsyncClient(base_url=base_url, timeout=120.0) as client:
        started = time.perf_counter()
        photo_ids: list[str] = []

        async def upload(number: int, author: Account = owner) -> None:
            files = {"file": (f"p{number}.jpg", _small_jpeg(number), "image/jpeg")}
            data = {"description": f"Photo number {number}"}
            response = await client.post(
                "/api/v1/photos", files=files, data=data, headers=author.headers
            )
            photo_ids.append(str(expect(response, 201, "upload")["id"]))

        await in_parallel(list(range(photos)), upload, concurrency=4)
        album = expect(
            await client.post("/api/v1/albums", json={"title": "Big"}, headers=owner.headers),
            201,
            "album",
        )
        for photo_id in photo_ids:
            response = await client.post(
                f"/api/v1/albums/{album['id']}/photos",
                json={"photo_id": photo_id},
                headers=owner.headers,
            )
            expect(response, 200, "add to the album")
        print(f"seeded an album of {photos:,} photos in {time.perf_counter() - started:.1f} s")
        path = f"/api/v1/albums/{album['id']}/links"
        plain = expect(await client.post(path, json={}, headers=owner.headers), 201, "link")
        locked = expect(
            await client.post(path, json={"password": LINK_PASSWORD}, headers=owner.headers),
            201,
            "password link",
        )
    return urlsplit(plain["url"]).path, urlsplit(locked["url"]).path


async def _timed(client: httpx.AsyncClient, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = await client.get(path)
    expect(response, 200, path)
    return (time.perf_counter() - started) * 1000, len(response.content)


async def _series(client: httpx.AsyncClient, path: str, what: str) -> float:
    timings = [await _timed(client, path) for _ in range(ROUNDS)]
    times = [ms for ms, _ in timings]
    size = timings[-1][1]
    p50 = percentile(times, 50)
    print(f"{what}: p50 {p50:.1f} ms, max {max(times):.1f} ms, {size:,} bytes")
    return p50


async def _bench(base_url: str, photos: int) -> None:
    plain, locked = await _seed(base_url, photos)
    async with httpx.AsyncClient(base_url=base_url, timeout=120.0) as client:
        first = await _series(client, plain, "page 1 (200 photos)")
        await _series(client, f"{plain}?page=5", "page 5 (200 photos)")
        unlocked = await client.post(locked, data={"password": LINK_PASSWORD})
        expect(unlocked, 303, "password")
        await _series(client, locked, "page 1 of the password link, with its cookie")
        health = await healthz_while(client, lambda: _timed(client, plain))
    print(f"target page p50 < 100 ms: {verdict(first < 100)}")
    report_health(health, "4 page readers")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=1000)
    args = parser.parse_args()
    warn_about_dotenv(PROG)

    def work(tmp: Path) -> int:
        with running_server(tmp, PROG) as server:
            asyncio.run(_bench(server.base_url, args.photos))
        return 0

    return run_in_temp_dir(PROG, work)


if __name__ == "__main__":
    sys.exit(main())
