"""Benchmark album reads and writes as albums fill up, against a real ``photoshare serve``.

Every album read checks which of its photo ids still exist (photoshare.albums.service),
so its cost grows with the album. This measures, on one server worker (embedded mode,
fresh data dir, as ``benchlib.running_server`` runs it):

1. seeding: ``--photos`` small uploads, then ``--albums`` albums each given every photo
   (one ``POST /api/v1/albums/{id}/photos`` per photo, ``CLIENTS`` at a time): adds/s;
2. ``GET /api/v1/albums`` (a page of every album, all full: counts and covers of each),
   ``GET /api/v1/albums/{id}``, ``GET /api/v1/albums/{id}/photos?limit=100`` (the last
   page), ``PUT /api/v1/albums/{id}/photos`` (reversing a full album) and a remove and
   add of one photo: ``--requests`` sequential requests each, p50 and p99 in ms.

Run it from the repository root::

    .venv/bin/python scripts/bench_albums.py [--photos 1000] [--albums 3] [--requests 30]

It prints figures and exits 0 (a benchmark, not a test); non-zero when the server does
not start or a request fails.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from benchlib import (
    build_jpeg,
    expect,
    in_parallel,
    login,
    percentile,
    run_in_temp_dir,
    running_server,
)

PROG = "bench_albums"
CLIENTS = 4
PAGE = 100


async def seed(client: httpx.AsyncClient, photos: int, albums: int) -> tuple[list[str], list[str]]:
    """Upload the photos and fill every album with all of them; print the rates."""
    image = build_jpeg(64, 48)

    async def upload(i: int) -> str:
        files = {"file": (f"p{i}.jpg", image, "image/jpeg")}
        body = expect(await client.post("/api/v1/photos", files=files), 201, "upload")
        return str(body["id"])

    started = time.perf_counter()
    photo_ids = await in_parallel(list(range(photos)), upload, CLIENTS)
    print(f"uploads: {photos} in {time.perf_counter() - started:.1f} s")
    album_ids = []
    for i in range(albums):
        created = await client.post("/api/v1/albums", json={"title": f"Album {i}"})
        album_ids.append(str(expect(created, 201, "create album")["id"]))
    pairs = [(album, photo) for album in album_ids for photo in photo_ids]

    async def add(pair: tuple[str, str]) -> None:
        url = f"/api/v1/albums/{pair[0]}/photos"
        expect(await client.post(url, json={"photo_id": pair[1]}), 200, "add photo")

    started = time.perf_counter()
    await in_parallel(pairs, add, CLIENTS)
    elapsed = time.perf_counter() - started
    print(f"adds: {len(pairs)} in {elapsed:.1f} s, {len(pairs) / elapsed:.0f}/s")
    return photo_ids, album_ids


async def timed(name: str, requests: int, call: Callable[[], Awaitable[None]]) -> None:
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    p50, p99 = percentile(samples, 50), percentile(samples, 99)
    print(f"{name:<44} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")


async def measure(client: httpx.AsyncClient, photo_ids: list[str], album_id: str, n: int) -> None:
    url = f"/api/v1/albums/{album_id}"
    last_page = max(0, len(photo_ids) - PAGE)
    orders = [list(reversed(photo_ids)), photo_ids]

    async def get(path: str, params: dict[str, int] | None = None) -> None:
        expect(await client.get(path, params=params), 200, path)

    async def reorder() -> None:
        orders.reverse()
        expect(await client.put(f"{url}/photos", json={"photo_ids": orders[0]}), 200, "reorder")

    async def remove_and_add() -> None:
        photo = photo_ids[len(photo_ids) // 2]
        expect(await client.delete(f"{url}/photos/{photo}"), 204, "remove")
        expect(await client.post(f"{url}/photos", json={"photo_id": photo}), 200, "add")

    await timed("GET /albums (every album, all full)", n, lambda: get("/api/v1/albums"))
    await timed("GET /albums/{id}", n, lambda: get(url))
    params = {"limit": PAGE, "offset": last_page}
    await timed(
        f"GET /albums/{{id}}/photos?limit={PAGE} (last page)",
        n,
        lambda: get(f"{url}/photos", params),
    )
    await timed("PUT /albums/{id}/photos (reverse all)", n, reorder)
    await timed("DELETE + POST one photo", n, remove_and_add)


def run(workdir: Path, photos: int, albums: int, requests: int) -> int:
    data_dir = workdir / "data"
    data_dir.mkdir()
    with running_server(data_dir, PROG) as server:
        print(f"{PROG}: {photos} photos, {albums} albums holding all of them ({server.store})")
        token = login(server.base_url)

        async def main() -> None:
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(
                base_url=server.base_url, headers=headers, timeout=60.0
            ) as client:
                photo_ids, album_ids = await seed(client, photos, albums)
                await measure(client, photo_ids, album_ids[0], requests)

        asyncio.run(main())
    return 0


def cli() -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--albums", type=int, default=3)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    return run_in_temp_dir(PROG, lambda tmp: run(tmp, args.photos, args.albums, args.requests))


if __name__ == "__main__":
    raise SystemExit(cli())
