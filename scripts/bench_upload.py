"""Benchmark photo uploads against a real PhotoShare server.

What it measures: throughput (uploads per second), latency (p50 and p95) and the
server's peak resident memory while N clients upload a realistic 4000x3000 JPEG
(a gradient with noise, a few MB) through ``POST /api/v1/photos``. With ``--size`` and
``--orientation`` the JPEG is another size and carries that EXIF orientation, as phones
store portrait shots (``--size 4032x3024 --orientation 6``): the server must turn it
upright, so each answer's width and height are checked too.

How: it starts ``python -m photoshare.cli serve`` on a free local port with a fresh
temporary data dir and no ``PHOTOSHARE_*``/``CLOUDINARY_URL`` settings (so embedded
mode: in-process store, local files), signs up one account, logs in, runs a short
warm-up and then the measured uploads with httpx. Memory is sampled every 50 ms from
``/proc/<pid>/status`` (VmRSS) and the kernel's high-water mark (VmHWM) is read at the
end; the peak is the larger of the two. Linux only. Each upload also makes the photo's
display sizes (thumb, preview) and placeholder in the same job, so they are measured too.
Afterwards it reports the feed weight: the image bytes a 24-photo grid loads, with each
photo's full ``url`` (before display sizes) and with its ``sizes.thumb`` (after).
The server, login, memory and image helpers live in ``benchlib.py`` next to this file.

Run it from the repository root::

    .venv/bin/python scripts/bench_upload.py [--uploads 40] [--concurrency 4] [--warmup 2]
        [--size 4000x3000] [--orientation 1]

The exit code is 0 whether or not the targets are met (this is a benchmark, not a
test); it is non-zero when the server does not start or any upload fails.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from benchlib import (
    HEIGHT,
    WIDTH,
    BenchError,
    RssSampler,
    login,
    peak_rss_kb,
    percentile,
    run_in_temp_dir,
    running_server,
    test_image,
    verdict,
    warn_about_dotenv,
)

PROG = "bench_upload"
REQUEST_TIMEOUT_S = 120.0
TARGET_P50_MS = 400.0
TARGET_RSS_MB = 300.0
FEED_PHOTOS = 24


@dataclass
class UploadResults:
    """What the measured uploads produced."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    wall_s: float = 0.0


# --- the client -------------------------------------------------------------------


@dataclass(frozen=True)
class BenchPhoto:
    """The uploaded JPEG and the size the server must store it at (upright)."""

    content: bytes
    width: int
    height: int
    orientation: int

    @property
    def upright(self) -> tuple[int, int]:
        turned = self.orientation >= 5  # EXIF 5-8 turn the picture a quarter
        return (self.height, self.width) if turned else (self.width, self.height)


async def upload_once(client: httpx.AsyncClient, image: BenchPhoto) -> tuple[float, str | None]:
    """Upload the image once; return the latency in ms and an error text, if any."""
    files = {"file": ("bench.jpg", image.content, "image/jpeg")}
    data = {"description": "benchmark upload", "tags": "bench,load"}
    start = time.perf_counter()
    try:
        response = await client.post("/api/v1/photos", files=files, data=data)
    except httpx.HTTPError as exc:
        return (time.perf_counter() - start) * 1000, f"{type(exc).__name__}: {exc}"
    elapsed_ms = (time.perf_counter() - start) * 1000
    if response.status_code != 201:
        return elapsed_ms, f"HTTP {response.status_code}: {response.text[:2000]}"
    stored = response.json()
    if (stored["width"], stored["height"]) != image.upright:
        return elapsed_ms, f"stored {stored['width']}x{stored['height']}, not {image.upright}"
    return elapsed_ms, None


async def run_uploads(
    base_url: str, token: str, image: BenchPhoto, count: int, concurrency: int
) -> UploadResults:
    """Upload ``count`` times with ``concurrency`` clients pulling from a shared queue."""
    results = UploadResults()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(count):
        queue.put_nowait(number)
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_loop(client: httpx.AsyncClient) -> None:
        while True:
            try:
                queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            latency_ms, error = await upload_once(client, image)
            results.latencies_ms.append(latency_ms)
            if error is not None:
                results.errors += 1
                results.first_error = results.first_error or error

    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, timeout=REQUEST_TIMEOUT_S, limits=limits
    ) as client:
        start = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            for _ in range(concurrency):
                group.create_task(client_loop(client))
        results.wall_s = time.perf_counter() - start
    return results


def feed_weight(base_url: str) -> tuple[int, int, int]:
    """Bytes of the images a grid of the newest photos loads: full images, then thumbs."""
    with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT_S) as client:
        page = client.get("/api/v1/photos", params={"limit": FEED_PHOTOS})
        page.raise_for_status()
        photos = page.json()["items"]

        def weight(url: str) -> int:
            # The path only: the server may name another public address than its port.
            response = client.get(urlsplit(url).path)
            response.raise_for_status()
            return len(response.content)

        full = sum(weight(photo["url"]) for photo in photos)
        thumbs = sum(weight(photo["sizes"]["thumb"]["url"]) for photo in photos)
    return len(photos), full, thumbs


# --- the report -------------------------------------------------------------------


def report(
    args: argparse.Namespace,
    image: BenchPhoto,
    results: UploadResults,
    peak_rss_mb: float,
    feed: tuple[int, int, int],
) -> None:
    """Print the figures and whether they meet the targets."""
    p50 = percentile(results.latencies_ms, 50)
    p95 = percentile(results.latencies_ms, 95)
    rate = args.uploads / results.wall_s if results.wall_s else 0.0

    print(
        f"bench_upload: {args.uploads} uploads of a {image.width}x{image.height} JPEG "
        f"(EXIF orientation {image.orientation}, {len(image.content) / 1e6:.1f} MB), "
        f"{args.concurrency} concurrent clients, embedded mode"
    )
    print(f"uploads/s      {rate:.1f}")
    print(f"p50 latency    {p50:.0f} ms")
    print(f"p95 latency    {p95:.0f} ms")
    print(f"errors         {results.errors}")
    print(f"server peak RSS {peak_rss_mb:.0f} MB")
    photos, full, thumbs = feed
    print(
        f"feed weight    {photos} photos: {full / 1e6:.1f} MB of full images, "
        f"{thumbs / 1e6:.2f} MB of thumbs"
    )
    if results.errors:
        print(f"targets: not judged, {results.errors} upload(s) failed")
        print(f"first error: {results.first_error}")
        return
    print(
        f"targets: p50 < {TARGET_P50_MS:.0f} ms, peak RSS < {TARGET_RSS_MB:.0f} MB -> "
        f"p50 {verdict(p50 < TARGET_P50_MS)}, RSS {verdict(peak_rss_mb < TARGET_RSS_MB)}"
    )


# --- main -------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--uploads", type=int, default=40, help="measured uploads (40)")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent clients (4)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured uploads first (2)")
    parser.add_argument(
        "--size", type=size, default=(WIDTH, HEIGHT), help=f"WxH of the JPEG ({WIDTH}x{HEIGHT})"
    )
    parser.add_argument(
        "--orientation", type=int, default=1, choices=range(1, 9), help="its EXIF orientation (1)"
    )
    args = parser.parse_args(argv)
    if args.uploads < 1 or args.concurrency < 1 or args.warmup < 0:
        parser.error("--uploads and --concurrency must be >= 1, --warmup >= 0")
    return args


def size(text: str) -> tuple[int, int]:
    """``4032x3024`` as (4032, 3024)."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not WxH: {text!r}") from None
    if not (16 <= width <= 20_000 and 16 <= height <= 20_000):
        raise argparse.ArgumentTypeError(f"out of range: {text!r}")
    return width, height


def bench(
    args: argparse.Namespace, image: BenchPhoto, data_dir: Path
) -> tuple[UploadResults, float, tuple[int, int, int]]:
    """Run the server, the warm-up, the measured uploads and the feed; return the figures."""
    with running_server(data_dir, PROG) as server:
        token = login(server.base_url)
        if args.warmup:
            warmup = asyncio.run(
                run_uploads(server.base_url, token, image, args.warmup, min(2, args.warmup))
            )
            if warmup.errors:
                raise BenchError(f"warm-up upload failed: {warmup.first_error}")
        with RssSampler(server.pid) as sampler:
            results = asyncio.run(
                run_uploads(server.base_url, token, image, args.uploads, args.concurrency)
            )
        peak_kb, hwm_kb = peak_rss_kb(sampler)
        print(
            f"(RSS: {sampler.samples} samples, max VmRSS {sampler.peak_kb / 1024:.0f} MB, "
            f"VmHWM {hwm_kb / 1024:.0f} MB)"
        )
        return results, peak_kb / 1024, feed_weight(server.base_url)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    warn_about_dotenv(PROG)
    width, height = args.size
    image = BenchPhoto(test_image(width, height, args.orientation), width, height, args.orientation)

    def run(tmp: Path) -> int:
        results, peak_rss_mb, feed = bench(args, image, tmp)
        report(args, image, results, peak_rss_mb, feed)
        return 1 if results.errors else 0

    return run_in_temp_dir(PROG, run)


if __name__ == "__main__":
    raise SystemExit(main())
