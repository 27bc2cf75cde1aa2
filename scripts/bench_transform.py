"""Benchmark a share-link transformation against a real PhotoShare server.

What it measures, for ``c_fill,w_800,h_800/e_grayscale/r_max/f_png`` (fill 800x800,
grayscale, fully rounded corners, PNG) of a realistic 4000x3000 JPEG uploaded through
``POST /api/v1/photos``:

1. cold renders through HTTP: the time of ``GET /s/<slug>`` for a link nobody has
   requested yet. Renders are cached by (image content hash, canonical transformation),
   so each measured render uses its own link whose transformation differs negligibly
   (``w_801``, ``h_801``, ``w_802``... instead of 800); one unmeasured render first
   takes the process's one-off costs;
2. a Pillow baseline in this process: decode the same JPEG from bytes, ``ImageOps.fit``
   to 800x800 (LANCZOS, centred), grayscale, elliptical alpha mask, PNG to memory
   (also shown with ``draft()``, JPEG shrink-on-decode, for information);
3. warm requests: ``wrk -t2 -c32 -d10s`` on the cached link's URL, one server worker
   (without wrk an httpx client is used, and that figure is bound by the client);
4. the server's peak resident memory while 8 new distinct links render at once.

The server runs as in ``bench_upload.py`` (see ``benchlib.py``): ``photoshare serve`` on
a free 127.0.0.1 port, fresh data dir, embedded mode. Linux only.

Run it from the repository root::

    .venv/bin/python scripts/bench_transform.py [--cold 10] [--pillow 10] [--duration 10]

The exit code is 0 whether or not the targets are met (this is a benchmark, not a
test); it is non-zero when the server does not start or a setup request fails.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from benchlib import (
    HEIGHT,
    WIDTH,
    BenchError,
    Load,
    RssSampler,
    login,
    percentile,
    read_status_kb,
    reset_peak_rss,
    run_in_temp_dir,
    run_wrk,
    running_server,
    test_image,
    verdict,
    warn_about_dotenv,
)
from PIL import Image, ImageDraw, ImageOps

PROG = "bench_transform"
SIDE = 800
TRANSFORMATION = f"c_fill,w_{SIDE},h_{SIDE}/e_grayscale/r_max/f_png"
CONCURRENT_RENDERS = 8
WRK_THREADS = 2
WRK_CONNECTIONS = 32
REQUEST_TIMEOUT_S = 120.0
TARGET_COLD_MS = 250.0
TARGET_SPEEDUP = 2.0
TARGET_WARM_RPS = 1500.0
TARGET_RSS_MB = 300.0


@dataclass(frozen=True)
class Timings:
    """Latencies in milliseconds."""

    ms: list[float]

    @property
    def p50(self) -> float:
        return percentile(self.ms, 50)

    def summary(self) -> str:
        return f"min {min(self.ms):.0f}, max {max(self.ms):.0f}, n={len(self.ms)}"


@dataclass(frozen=True)
class Warm:
    """What the warm-request load generator saw, and which one it was."""

    load: Load
    tool: str
    duration_s: int


@dataclass(frozen=True)
class Memory:
    """Peak RSS in MB: during the concurrent renders, and over the whole run."""

    phase_mb: float
    overall_mb: float
    note: str


# --- the transformations ----------------------------------------------------------


def nudged() -> Iterator[str]:
    """The benchmark transformation with its width or height a few pixels larger.

    Each is a different cache entry, so a fresh render, of practically the same work.
    """
    for extra in itertools.count(1):
        yield f"c_fill,w_{SIDE + extra},h_{SIDE}/e_grayscale/r_max/f_png"
        yield f"c_fill,w_{SIDE},h_{SIDE + extra}/e_grayscale/r_max/f_png"


# --- the Pillow baseline ----------------------------------------------------------


def pillow_render(jpeg: bytes, draft: bool = False) -> bytes:
    """Fill 800x800 (LANCZOS, centred), grayscale, elliptical alpha, PNG."""
    with Image.open(io.BytesIO(jpeg)) as source:
        if draft:
            scale = max(SIDE / source.width, SIDE / source.height)
            source.draft("RGB", (round(source.width * scale), round(source.height * scale)))
        filled = ImageOps.fit(source, (SIDE, SIDE), Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    gray = filled.convert("L")
    mask = Image.new("L", (SIDE, SIDE), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, SIDE - 1, SIDE - 1), fill=255)
    rounded = gray.convert("LA")
    rounded.putalpha(mask)
    out = io.BytesIO()
    rounded.save(out, format="PNG")
    return out.getvalue()


def time_runs(run: Callable[[], object], count: int) -> Timings:
    """Call ``run`` once unmeasured, then ``count`` times measured."""
    run()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return Timings(times)


# --- the API ----------------------------------------------------------------------


def upload(client: httpx.Client, jpeg: bytes) -> str:
    """Upload the JPEG; return the photo's id."""
    files = {"file": ("bench.jpg", jpeg, "image/jpeg")}
    response = client.post("/api/v1/photos", files=files, data={"description": "bench"})
    if response.status_code != 201:
        raise BenchError(f"upload answered {response.status_code}: {response.text[:2000]}")
    return str(response.json()["id"])


def create_link(client: httpx.Client, photo_id: str, transformation: str) -> str:
    """Create a new link; return its public URL."""
    response = client.post(
        f"/api/v1/photos/{photo_id}/links", json={"transformation": transformation}
    )
    if response.status_code != 201:
        raise BenchError(
            f"creating link {transformation!r} answered {response.status_code}: "
            f"{response.text[:2000]}"
        )
    return str(response.json()["url"])


def check_png(response: httpx.Response, url: str) -> None:
    content_type = response.headers.get("content-type", "")
    if response.status_code != 200 or content_type != "image/png":
        raise BenchError(
            f"GET {url} answered {response.status_code} ({content_type}): {response.text[:500]}"
        )


def timed_get(client: httpx.Client, url: str) -> tuple[float, int]:
    """GET an image link without a token; return the time in ms and the body's size."""
    start = time.perf_counter()
    response = client.get(url)
    elapsed_ms = (time.perf_counter() - start) * 1000
    check_png(response, url)
    return elapsed_ms, len(response.content)


# --- warm requests ----------------------------------------------------------------


def run_wrk_load(wrk: str, url: str, duration_s: int) -> Warm:
    load = run_wrk(wrk, url, duration_s, WRK_THREADS, WRK_CONNECTIONS)
    tool = f"wrk, {WRK_THREADS} threads, {WRK_CONNECTIONS} connections"
    return Warm(load, tool, duration_s)


async def run_httpx_load(url: str, duration_s: int) -> Warm:
    """The fallback without wrk: 32 asyncio clients; the client is the bottleneck."""
    latencies: list[float] = []
    bad = 0
    limits = httpx.Limits(max_connections=WRK_CONNECTIONS)
    deadline = time.perf_counter() + duration_s

    async def loop(client: httpx.AsyncClient) -> None:
        nonlocal bad
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            response = await client.get(url)
            latencies.append((time.perf_counter() - start) * 1000)
            bad += response.status_code >= 400

    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
        start = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            for _ in range(WRK_CONNECTIONS):
                group.create_task(loop(client))
        wall_s = time.perf_counter() - start
    load = Load(
        requests_per_s=len(latencies) / wall_s,
        avg_ms=sum(latencies) / len(latencies),
        p50_ms=percentile(latencies, 50),
        p99_ms=None,
        requests=len(latencies),
        bad_status=bad,
        socket_errors="n/a",
    )
    tool = f"httpx, {WRK_CONNECTIONS} connections, CLIENT-BOUND: wrk not found"
    return Warm(load, tool, duration_s)


def warm_load(url: str, duration_s: int) -> Warm:
    wrk = shutil.which("wrk")
    if wrk is None:
        return asyncio.run(run_httpx_load(url, duration_s))
    return run_wrk_load(wrk, url, duration_s)


# --- concurrent renders -----------------------------------------------------------


async def get_all(urls: list[str]) -> float:
    """GET every URL at once; return the wall time in ms."""
    limits = httpx.Limits(max_connections=len(urls))
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
        start = time.perf_counter()
        responses = await asyncio.gather(*(client.get(url) for url in urls))
        wall_ms = (time.perf_counter() - start) * 1000
    for url, response in zip(urls, responses, strict=True):
        check_png(response, url)
    return wall_ms


def concurrent_renders(urls: list[str], pid: int, overall: RssSampler) -> tuple[Memory, float]:
    """Render the links at once while sampling RSS; return the memory and wall time."""
    before_kb = read_status_kb(pid, "VmHWM") or 0
    reset = reset_peak_rss(pid)
    with RssSampler(pid) as sampler:
        wall_ms = asyncio.run(get_all(urls))
    sampled_kb = sampler.peak_kb
    hwm_kb = read_status_kb(pid, "VmHWM") or 0
    if reset:
        # VmHWM now covers only this phase (the reset sets it to the RSS of that moment).
        phase_kb = max(sampled_kb, hwm_kb)
        note = (
            f"{sampler.samples} samples, max VmRSS {sampled_kb / 1024:.0f} MB, "
            f"VmHWM since reset {hwm_kb / 1024:.0f} MB"
        )
    else:
        phase_kb = sampled_kb
        note = f"{sampler.samples} samples, max VmRSS {sampled_kb / 1024:.0f} MB (no reset)"
    overall_kb = max(before_kb, hwm_kb, overall.peak_kb, phase_kb)
    return Memory(phase_kb / 1024, overall_kb / 1024, note), wall_ms


# --- the run ----------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    cold: Timings
    cold_transformations: list[str]
    first_render_ms: float
    png_bytes: int
    warm: Warm
    memory: Memory
    concurrent_wall_ms: float


def bench(args: argparse.Namespace, jpeg: bytes, data_dir: Path) -> Results:
    """Run the server and the HTTP measurements."""
    with running_server(data_dir, PROG) as server:
        token = login(server.base_url)
        headers = {"Authorization": f"Bearer {token}"}
        with RssSampler(server.pid) as overall:
            with httpx.Client(
                base_url=server.base_url, headers=headers, timeout=REQUEST_TIMEOUT_S
            ) as api:
                photo_id = upload(api, jpeg)
                others = nudged()
                first_url = create_link(api, photo_id, next(others))
                main_url = create_link(api, photo_id, TRANSFORMATION)
                cold_transformations = [TRANSFORMATION] + [
                    next(others) for _ in range(args.cold - 1)
                ]
                cold_urls = [main_url] + [
                    create_link(api, photo_id, text) for text in cold_transformations[1:]
                ]
                render_urls = [
                    create_link(api, photo_id, next(others)) for _ in range(CONCURRENT_RENDERS)
                ]
            with httpx.Client(timeout=REQUEST_TIMEOUT_S) as public:
                first_render_ms, _ = timed_get(public, first_url)
                cold = [timed_get(public, url) for url in cold_urls]
                _, png_bytes = timed_get(public, main_url)  # cached now
            warm = warm_load(main_url, args.duration)
            memory, wall_ms = concurrent_renders(render_urls, server.pid, overall)
    return Results(
        cold=Timings([ms for ms, _ in cold]),
        cold_transformations=cold_transformations,
        first_render_ms=first_render_ms,
        png_bytes=png_bytes,
        warm=warm,
        memory=memory,
        concurrent_wall_ms=wall_ms,
    )


def report(jpeg: bytes, results: Results, pillow: Timings, pillow_draft: Timings) -> None:
    """Print the figures and whether they meet the targets."""
    cold, warm, load, memory = results.cold, results.warm, results.warm.load, results.memory
    speedup = pillow.p50 / cold.p50
    nudges = [text.split("/")[0] for text in results.cold_transformations[1:]]
    variants = f", {len(nudges)} with {nudges[0]} .. {nudges[-1]}" if nudges else ""
    print(
        f"(cold renders: one link with the exact transformation{variants}; unmeasured first "
        f"render in the process {results.first_render_ms:.0f} ms; "
        f"PNG {results.png_bytes / 1024:.0f} KiB)"
    )
    print(
        f"(warm: {load.requests} requests, avg {fmt_ms(load.avg_ms)}, "
        f"socket errors: {load.socket_errors})"
    )
    print(
        f"({CONCURRENT_RENDERS} concurrent renders took {results.concurrent_wall_ms:.0f} ms "
        f"wall; RSS: {memory.note})"
    )
    print(
        f"(Pillow with draft(): p50 {pillow_draft.p50:.0f} ms ({pillow_draft.summary()}), "
        f"{pillow.p50 / pillow_draft.p50:.1f}x faster than without)"
    )
    print(f"{PROG}: {WIDTH}x{HEIGHT} JPEG ({len(jpeg) / 1e6:.1f} MB), {TRANSFORMATION}")
    print(f"cold render (HTTP)   p50 {cold.p50:.0f} ms  ({cold.summary()})")
    print(
        f"Pillow baseline      p50 {pillow.p50:.0f} ms  ({pillow.summary()}) "
        f"-> cold is {speedup:.1f}x faster"
    )
    print(
        f"warm (cached)        {load.requests_per_s:.0f} requests/s ({warm.tool}, "
        f"{warm.duration_s} s), p50 {fmt_ms(load.p50_ms)}, non-2xx {load.bad_status}"
    )
    print(
        f"{CONCURRENT_RENDERS} concurrent renders  peak RSS {memory.phase_mb:.0f} MB "
        f"(whole run {memory.overall_mb:.0f} MB)"
    )
    cold_met = cold.p50 < TARGET_COLD_MS and speedup >= TARGET_SPEEDUP
    warm_met = load.requests_per_s >= TARGET_WARM_RPS and load.bad_status == 0
    print(
        f"targets: cold < {TARGET_COLD_MS:.0f} ms and >= {TARGET_SPEEDUP:.0f}x Pillow: "
        f"{verdict(cold_met)}; warm >= {TARGET_WARM_RPS:.0f} req/s: {verdict(warm_met)}; "
        f"RSS < {TARGET_RSS_MB:.0f} MB: {verdict(memory.phase_mb < TARGET_RSS_MB)}"
    )


def fmt_ms(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f} ms"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cold", type=int, default=10, help="measured cold renders (10)")
    parser.add_argument("--pillow", type=int, default=10, help="measured Pillow runs (10)")
    parser.add_argument("--duration", type=int, default=10, help="warm load seconds (10)")
    args = parser.parse_args(argv)
    if args.cold < 1 or args.pillow < 1 or args.duration < 1:
        parser.error("--cold, --pillow and --duration must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    warn_about_dotenv(PROG)
    jpeg = test_image()
    pillow = time_runs(lambda: pillow_render(jpeg), args.pillow)
    pillow_draft = time_runs(lambda: pillow_render(jpeg, draft=True), args.pillow)

    def run(tmp: Path) -> int:
        report(jpeg, bench(args, jpeg, tmp), pillow, pillow_draft)
        return 0

    return run_in_temp_dir(PROG, run)


if __name__ == "__main__":
    raise SystemExit(main())
