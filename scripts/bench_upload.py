"""Benchmark photo uploads against a real PhotoShare server.

What it measures: throughput (uploads per second), latency (p50 and p95) and the
server's peak resident memory while N clients upload a realistic 4000x3000 JPEG
(a gradient with noise, a few MB) through ``POST /api/v1/photos``.

How: it starts ``python -m photoshare.cli serve`` on a free local port with a fresh
temporary data dir and no ``PHOTOSHARE_*``/``CLOUDINARY_URL`` settings (so embedded
mode: in-process store, local files), signs up one account, logs in, runs a short
warm-up and then the measured uploads with httpx. Memory is sampled every 50 ms from
``/proc/<pid>/status`` (VmRSS) and the kernel's high-water mark (VmHWM) is read at the
end; the peak is the larger of the two. Linux only.

Run it from the repository root::

    .venv/bin/python scripts/bench_upload.py [--uploads 40] [--concurrency 4] [--warmup 2]

The exit code is 0 whether or not the targets are met (this is a benchmark, not a
test); it is non-zero when the server does not start or any upload fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import pyvips

WIDTH, HEIGHT = 4000, 3000
JPEG_QUALITY = 90
HEALTH_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0
REQUEST_TIMEOUT_S = 120.0
RSS_INTERVAL_S = 0.05
TARGET_P50_MS = 400.0
TARGET_RSS_MB = 300.0

# The checkout this script belongs to: the server runs from here so that
# ``python -m photoshare.cli`` imports this code (the package may not import from elsewhere).
REPO_ROOT = Path(__file__).resolve().parents[1]

USERNAME = "bench"
EMAIL = "bench@example.com"
PASSWORD = "benchmark password"  # noqa: S105 - a throwaway account on a throwaway server


class BenchError(RuntimeError):
    """The benchmark cannot go on; the message says why."""


@dataclass
class UploadResults:
    """What the measured uploads produced."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    wall_s: float = 0.0


# --- the test image ---------------------------------------------------------------


def build_jpeg(width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """Encode a photo-like JPEG: a colour gradient with fine-grained noise.

    The noise is slightly blurred, like a camera's grain, so the file is the few MB a
    real 12-megapixel photo is (pure per-pixel noise would not compress at all).
    """
    xyz = pyvips.Image.xyz(width, height)
    x, y = xyz[0], xyz[1]
    gradient = x.bandjoin([y, x + y]).linear(
        [255 / width, 255 / height, 255 / (width + height)], [0, 0, 0]
    )
    grain = pyvips.Image.gaussnoise(width, height, sigma=20, mean=128).gaussblur(0.8)
    image = (gradient + grain - 128).cast("uchar").copy(interpretation="srgb")
    return bytes(image.jpegsave_buffer(Q=JPEG_QUALITY))


# --- the server -------------------------------------------------------------------


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path) -> dict[str, str]:
    """The caller's environment without PhotoShare settings, pointed at ``data_dir``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PHOTOSHARE_") and name != "CLOUDINARY_URL"
    }
    env["PHOTOSHARE_DATA_DIR"] = str(data_dir)
    return env


def start_server(data_dir: Path, port: int, log: IO[bytes]) -> subprocess.Popen[bytes]:
    """Start ``photoshare serve`` (one worker, so one process) in the background."""
    command = [sys.executable, "-m", "photoshare.cli", "serve", "--port", str(port)]
    return subprocess.Popen(
        command,
        env=server_env(data_dir),
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_healthy(base_url: str, server: subprocess.Popen[bytes]) -> None:
    """Poll /healthz until it answers 200, the server exits, or the timeout passes."""
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"the server exited with code {server.returncode} while starting")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise BenchError(f"the server did not answer /healthz within {HEALTH_TIMEOUT_S:.0f} s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Interrupt the server like Ctrl-C would, and kill it if it does not stop."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        print(f"bench_upload: server ignored SIGINT for {STOP_TIMEOUT_S:.0f} s; killing it")
        server.kill()
        server.wait()


def log_tail(path: Path, lines: int = 30) -> str:
    """The last lines the server wrote, for error messages."""
    try:
        tail = path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(tail) if tail else "(the server wrote nothing)"
    except OSError:
        return "(no server log)"


# --- memory -----------------------------------------------------------------------


def read_status_kb(pid: int, key: str) -> int | None:
    """Read one ``kB`` field (VmRSS, VmHWM...) of /proc/<pid>/status, None if gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


class RssSampler:
    """Samples a process's VmRSS every ``interval`` seconds in a background thread."""

    def __init__(self, pid: int, interval: float = RSS_INTERVAL_S) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = read_status_kb(self.pid, "VmRSS")
            if rss is not None:
                self.peak_kb = max(self.peak_kb, rss)
                self.samples += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- the client -------------------------------------------------------------------


def login(base_url: str) -> str:
    """Sign up the benchmark account and return an access token for it."""
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        account = {"username": USERNAME, "email": EMAIL, "password": PASSWORD}
        signup = client.post("/api/v1/auth/signup", json=account)
        if signup.status_code != 201:
            raise BenchError(f"signup answered {signup.status_code}: {signup.text}")
        form = {"username": USERNAME, "password": PASSWORD}
        tokens = client.post("/api/v1/auth/login", data=form)
        if tokens.status_code != 200:
            raise BenchError(f"login answered {tokens.status_code}: {tokens.text}")
        return str(tokens.json()["access_token"])


async def upload_once(client: httpx.AsyncClient, image: bytes) -> tuple[float, str | None]:
    """Upload the image once; return the latency in ms and an error text, if any."""
    files = {"file": ("bench.jpg", image, "image/jpeg")}
    data = {"description": "benchmark upload", "tags": "bench,load"}
    start = time.perf_counter()
    try:
        response = await client.post("/api/v1/photos", files=files, data=data)
    except httpx.HTTPError as exc:
        return (time.perf_counter() - start) * 1000, f"{type(exc).__name__}: {exc}"
    elapsed_ms = (time.perf_counter() - start) * 1000
    if response.status_code != 201:
        return elapsed_ms, f"HTTP {response.status_code}: {response.text[:2000]}"
    return elapsed_ms, None


async def run_uploads(
    base_url: str, token: str, image: bytes, count: int, concurrency: int
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


# --- the report -------------------------------------------------------------------


def percentile(values: list[float], pct: int) -> float:
    """The ``pct``-th percentile, interpolated between the closest ranks."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def report(
    args: argparse.Namespace, image: bytes, results: UploadResults, peak_rss_mb: float
) -> None:
    """Print the figures and whether they meet the targets."""
    p50 = percentile(results.latencies_ms, 50)
    p95 = percentile(results.latencies_ms, 95)
    rate = args.uploads / results.wall_s if results.wall_s else 0.0

    def verdict(met: bool) -> str:
        return "MET" if met else "NOT MET"

    print(
        f"bench_upload: {args.uploads} uploads of a {WIDTH}x{HEIGHT} JPEG "
        f"({len(image) / 1e6:.1f} MB), {args.concurrency} concurrent clients, embedded mode"
    )
    print(f"uploads/s      {rate:.1f}")
    print(f"p50 latency    {p50:.0f} ms")
    print(f"p95 latency    {p95:.0f} ms")
    print(f"errors         {results.errors}")
    print(f"server peak RSS {peak_rss_mb:.0f} MB")
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
    args = parser.parse_args(argv)
    if args.uploads < 1 or args.concurrency < 1 or args.warmup < 0:
        parser.error("--uploads and --concurrency must be >= 1, --warmup >= 0")
    return args


def bench(args: argparse.Namespace, image: bytes, data_dir: Path) -> tuple[UploadResults, float]:
    """Run the server, the warm-up and the measured uploads; return results and peak MB."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        server = start_server(data_dir, port, log)
        try:
            try:
                wait_healthy(base_url, server)
            except BenchError as exc:
                raise BenchError(f"{exc}\n--- server log ---\n{log_tail(log_path)}") from exc
            token = login(base_url)
            if args.warmup:
                warmup = asyncio.run(
                    run_uploads(base_url, token, image, args.warmup, min(2, args.warmup))
                )
                if warmup.errors:
                    raise BenchError(f"warm-up upload failed: {warmup.first_error}")
            with RssSampler(server.pid) as sampler:
                results = asyncio.run(
                    run_uploads(base_url, token, image, args.uploads, args.concurrency)
                )
            hwm_kb = read_status_kb(server.pid, "VmHWM") or 0
            print(
                f"(RSS: {sampler.samples} samples, max VmRSS {sampler.peak_kb / 1024:.0f} MB, "
                f"VmHWM {hwm_kb / 1024:.0f} MB)"
            )
            return results, max(sampler.peak_kb, hwm_kb) / 1024
        finally:
            stop_server(server)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if (REPO_ROOT / ".env").exists():
        print(f"bench_upload: warning: {REPO_ROOT / '.env'} exists and the server will read it")
    image = build_jpeg()
    print(f"test image: {WIDTH}x{HEIGHT} JPEG Q{JPEG_QUALITY}, {len(image):,} bytes")
    with tempfile.TemporaryDirectory(prefix="photoshare-bench-") as tmp:
        try:
            results, peak_rss_mb = bench(args, image, Path(tmp))
        except (BenchError, httpx.HTTPError) as exc:
            print(f"bench_upload: {exc}", file=sys.stderr)
            return 1
    report(args, image, results, peak_rss_mb)
    return 1 if results.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
