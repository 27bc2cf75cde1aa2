"""Shared pieces of the PhotoShare benchmarks (``bench_upload.py``, ``bench_transform.py``...).

- ``build_jpeg``: a realistic 4000x3000 photo-like JPEG (gradient plus grain, a few MB),
  optionally tagged with an EXIF orientation as phones tag portrait shots.
- ``running_server``: starts ``python -m photoshare.cli serve`` on a free 127.0.0.1 port
  with a fresh data dir and none of the caller's ``PHOTOSHARE_*``/``CLOUDINARY_URL``
  settings but the stores' (``PASSED_SETTINGS``): embedded mode (in-process store, local
  files) unless ``PHOTOSHARE_MONGODB_URL``/``PHOTOSHARE_REDIS_URL`` name real servers,
  in which case a throwaway database ``photoshare_bench_<random>`` is used (unless
  ``PHOTOSHARE_MONGODB_DATABASE`` names one) and dropped afterwards. It prints which
  store is measured (``store_measured``), waits for ``/healthz`` and stops the server
  afterwards; its output goes to ``<data dir>/server.log``, whose tail is shown if it
  fails to start. A caller may add settings of its own (``extra_env``) and ask for
  several ``workers``. Signups per address are not limited in practice (seeding comes
  from one address).
- ``login``: signs up the benchmark account (or another one) and returns a bearer token.
- ``RssSampler``, ``read_status_kb``, ``peak_rss_kb``, ``reset_peak_rss``: a process's
  resident memory from ``/proc/<pid>/status`` (VmRSS sampled in a thread, VmHWM as the
  kernel's high-water mark). Linux only.
- ``cpu_seconds``, ``run_queue_wait_s``: CPU time used by a process and its descendants,
  and time their threads waited for a CPU, from ``/proc``.
- ``percentile``: interpolated percentiles of latency samples.
- ``test_image``: ``build_jpeg`` at full size (or another), with a line that describes it.
- ``redis_server``: a throwaway ``redis-server`` on a free 127.0.0.1 port.
- ``Account``, ``sign_up``, ``in_parallel``, ``expect``, ``sentence``, ``tag_list``: seeding a
  store through the API (accounts with tokens, bounded concurrency, status checks, random
  descriptions and tags).
- ``run_wrk``, ``parse_wrk``, ``Load``: ``wrk --latency`` runs and their figures.
- ``run_in_temp_dir``: a benchmark's run in a fresh temporary folder, its failure printed.

The benchmarks run from the repository root with the project's virtualenv, e.g.
``.venv/bin/python scripts/bench_upload.py``; they import this module from their folder.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import urlsplit

import httpx
import pyvips
from pymongo import MongoClient

WIDTH, HEIGHT = 4000, 3000
JPEG_QUALITY = 90
HEALTH_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0
RSS_INTERVAL_S = 0.05
REDIS_START_TIMEOUT_S = 10.0
SEEDING_SIGNUPS_PER_HOUR = 100_000

# The checkout these scripts belong to: the server runs from here so that
# ``python -m photoshare.cli`` imports this code (the package may not import from elsewhere).
REPO_ROOT = Path(__file__).resolve().parents[1]

# The caller's settings a benchmark keeps: the stores to measure (a real MongoDB and Redis
# where the caller has them) and what a real database requires (a secret key and a
# public address). Nothing else, so that runs compare. CLOUDINARY_URL is left out: the
# benchmarks measure this server's own storage and renderer, and would otherwise upload
# thousands of images to a paid account over the network.
PASSED_SETTINGS = (
    "PHOTOSHARE_MONGODB_URL",
    "PHOTOSHARE_MONGODB_DATABASE",
    "PHOTOSHARE_REDIS_URL",
    "PHOTOSHARE_SECRET_KEY",
    "PHOTOSHARE_PUBLIC_BASE_URL",
)
BENCH_DATABASE_PREFIX = "photoshare_bench_"

USERNAME = "bench"
EMAIL = "bench@example.com"
PASSWORD = "benchmark password"  # noqa: S105 - a throwaway account on a throwaway server

T = TypeVar("T")
R = TypeVar("R")


class BenchError(RuntimeError):
    """The benchmark cannot go on; the message says why."""


# --- the test image ---------------------------------------------------------------


def build_jpeg(width: int = WIDTH, height: int = HEIGHT, orientation: int = 1) -> bytes:
    """Encode a photo-like JPEG: a colour gradient with fine-grained noise.

    The noise is slightly blurred, like a camera's grain, so the file is the few MB a
    real 12-megapixel photo is (pure per-pixel noise would not compress at all). An
    ``orientation`` other than 1 is written as the EXIF tag (6: turn 90° clockwise).
    """
    xyz = pyvips.Image.xyz(width, height)
    x, y = xyz[0], xyz[1]
    gradient = x.bandjoin([y, x + y]).linear(
        [255 / width, 255 / height, 255 / (width + height)], [0, 0, 0]
    )
    grain = pyvips.Image.gaussnoise(width, height, sigma=20, mean=128).gaussblur(0.8)
    image = (gradient + grain - 128).cast("uchar").copy(interpretation="srgb")
    if orientation != 1:
        image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
    return bytes(image.jpegsave_buffer(Q=JPEG_QUALITY))


def test_image(width: int = WIDTH, height: int = HEIGHT, orientation: int = 1) -> bytes:
    """``build_jpeg(width, height, orientation)``, after printing what it is."""
    image = build_jpeg(width, height, orientation)
    print(
        f"test image: {width}x{height} JPEG Q{JPEG_QUALITY}, EXIF orientation {orientation}, "
        f"{len(image):,} bytes"
    )
    return image


# --- the server -------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """A running benchmark server."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    store: str = "database embedded, redis embedded"  # what it measures (``store_measured``)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without PhotoShare settings but the stores', at ``data_dir``.

    With a MongoDB server and no database named, a fresh ``photoshare_bench_<hash of the
    data dir>`` one: a benchmark starts on an empty store and never writes into a real
    one. A real database needs a secret key and a public address; throwaway ones are
    made up if the caller has none (``start_server`` points the address at its port).
    The signup limit per address is raised (``SEEDING_SIGNUPS_PER_HOUR``): benchmarks
    seed their accounts from one address. ``bench_signup.py`` sets its own.
    """
    source = os.environ if environ is None else environ
    env = {
        name: value
        for name, value in source.items()
        if not name.startswith("PHOTOSHARE_") and name != "CLOUDINARY_URL"
    }
    env.update({name: source[name] for name in PASSED_SETTINGS if source.get(name)})
    if "PHOTOSHARE_MONGODB_URL" in env:
        # Named after the data dir (a fresh temporary one), so that the server and a
        # command on the same dir share it, as they share the embedded store.
        digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
        env.setdefault("PHOTOSHARE_MONGODB_DATABASE", f"{BENCH_DATABASE_PREFIX}{digest}")
        env.setdefault("PHOTOSHARE_SECRET_KEY", secrets.token_urlsafe(48))
        env.setdefault("PHOTOSHARE_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
    env["PHOTOSHARE_DATA_DIR"] = str(data_dir)
    env["PHOTOSHARE_RATE_LIMIT_SIGNUPS_PER_HOUR"] = str(SEEDING_SIGNUPS_PER_HOUR)
    return env


def without_credentials(url: str) -> str:
    """A store's URL as it may be printed: scheme and hosts, no user, password or options."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def store_measured(env: Mapping[str, str]) -> str:
    """Which stores a server on ``env`` uses, for the benchmark's report."""
    mongodb, redis = env.get("PHOTOSHARE_MONGODB_URL"), env.get("PHOTOSHARE_REDIS_URL")
    if mongodb:
        database = (
            without_credentials(mongodb) + f" (database {env['PHOTOSHARE_MONGODB_DATABASE']})"
        )
    else:
        database = "embedded"
    return f"database {database}, redis {without_credentials(redis) if redis else 'embedded'}"


def drop_bench_database(env: Mapping[str, str]) -> None:
    """Drop the throwaway database ``server_env`` made up (never one the caller named)."""
    url, name = env.get("PHOTOSHARE_MONGODB_URL"), env.get("PHOTOSHARE_MONGODB_DATABASE", "")
    if not url or not name.startswith(BENCH_DATABASE_PREFIX):
        return
    client: MongoClient[dict[str, Any]] = MongoClient(url, serverSelectionTimeoutMS=10_000)
    with client:
        client.drop_database(name)


def start_server(
    data_dir: Path,
    port: int,
    log: IO[bytes],
    extra_env: Mapping[str, str] | None = None,
    workers: int = 1,
) -> subprocess.Popen[bytes]:
    """Start ``photoshare serve`` in the background (one worker, so one process, by default).

    ``extra_env`` is added to ``server_env(data_dir)``, e.g. ``PHOTOSHARE_REDIS_URL``.
    """
    return start_server_on(data_dir, port, log, serve_env(data_dir, port, extra_env), workers)


def serve_env(data_dir: Path, port: int, extra_env: Mapping[str, str] | None) -> dict[str, str]:
    """``server_env`` for a server on ``port``, with the caller's ``extra_env`` on top."""
    env = server_env(data_dir)
    if "PHOTOSHARE_MONGODB_URL" in env and not os.environ.get("PHOTOSHARE_PUBLIC_BASE_URL"):
        env["PHOTOSHARE_PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    return {**env, **(extra_env or {})}


def start_server_on(
    data_dir: Path, port: int, log: IO[bytes], env: Mapping[str, str], workers: int = 1
) -> subprocess.Popen[bytes]:
    """Start ``photoshare serve`` in the background with exactly ``env``."""
    command = [sys.executable, "-m", "photoshare.cli", "serve", "--port", str(port)]
    if workers != 1:
        command += ["--workers", str(workers)]
    return subprocess.Popen(
        command,
        env=dict(env),
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_healthy(base_url: str, server: subprocess.Popen[bytes], path: str = "/healthz") -> None:
    """Poll ``path`` until it answers 200, the server exits, or the timeout passes."""
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"the server exited with code {server.returncode} while starting")
        try:
            if httpx.get(f"{base_url}{path}", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise BenchError(f"the server did not answer {path} within {HEALTH_TIMEOUT_S:.0f} s")


def stop_server(server: subprocess.Popen[bytes], prog: str) -> None:
    """Interrupt the server like Ctrl-C would, and kill it if it does not stop."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        print(f"{prog}: server ignored SIGINT for {STOP_TIMEOUT_S:.0f} s; killing it")
        server.kill()
        server.wait()


def log_tail(path: Path, lines: int = 30) -> str:
    """The last lines the server wrote, for error messages."""
    try:
        tail = path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(tail) if tail else "(the server wrote nothing)"
    except OSError:
        return "(no server log)"


@contextmanager
def running_server(
    data_dir: Path,
    prog: str,
    extra_env: Mapping[str, str] | None = None,
    workers: int = 1,
    port: int | None = None,
) -> Iterator[Server]:
    """Run a healthy server on ``port`` (a free one by default) with ``data_dir``; stop it
    on leaving. ``extra_env`` and ``workers`` are passed on to ``start_server``.

    Raises ``BenchError`` (with the tail of the server's log) if it does not come up.
    """
    port = port or free_port()
    log_path = data_dir / "server.log"
    env = serve_env(data_dir, port, extra_env)
    print(f"{prog}: store measured: {store_measured(env)}")
    with log_path.open("wb") as log:
        process = start_server_on(data_dir, port, log, env, workers)
        server = Server(process, port, log_path, store_measured(env))
        try:
            try:
                wait_healthy(server.base_url, process)
            except BenchError as exc:
                raise BenchError(f"{exc}\n--- server log ---\n{log_tail(log_path)}") from exc
            yield server
        finally:
            stop_server(process, prog)
            drop_bench_database(env)


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """Run a throwaway redis-server on 127.0.0.1 (no persistence); yield its URL.

    Its output goes to ``<workdir>/redis.log``, whose tail is shown if it fails to start.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise BenchError("redis-server is needed (apt-get install redis-server)")
    port = free_port()
    command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
    command += ["--appendonly", "no", "--dir", str(workdir)]
    log_path = workdir / "redis.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + REDIS_START_TIMEOUT_S
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise BenchError(
                            f"redis-server did not start\n{log_tail(log_path)}"
                        ) from None
                    time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def run_in_temp_dir(
    prog: str, work: Callable[[Path], int], prefix: str = "photoshare-bench-"
) -> int:
    """Run ``work`` in a fresh temporary folder and return its exit code.

    A ``BenchError`` or HTTP error is printed to stderr, after ``prog``, and gives 1.
    """
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        try:
            return work(Path(tmp))
        except (BenchError, httpx.HTTPError) as exc:
            print(f"{prog}: {exc}", file=sys.stderr)
            return 1


def warn_about_dotenv(prog: str) -> None:
    """The server reads ``.env`` in the repository root, which may change its mode."""
    if (REPO_ROOT / ".env").exists():
        print(f"{prog}: warning: {REPO_ROOT / '.env'} exists and the server will read it")


def require_wrk(prog: str) -> str | None:
    """The path of ``wrk``, or None after telling how to install it."""
    wrk = shutil.which("wrk")
    if wrk is None:
        print(f"{prog}: wrk is needed (apt-get install wrk)", file=sys.stderr)
    return wrk


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


def reset_peak_rss(pid: int) -> bool:
    """Reset the kernel's VmHWM of ``pid`` to its current RSS; False if not permitted.

    Writing 5 to /proc/<pid>/clear_refs does that (Linux 4.0+); it changes nothing else.
    """
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


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


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (e.g. a server's worker processes), while they run."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except OSError:
            continue
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time used so far by ``pid`` and its descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for process in process_tree(pid):
        try:
            with open(f"/proc/{process}/stat") as stat:
                # Fields after the command (which may hold spaces), from field 3 on.
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def run_queue_wait_s(pid: int) -> float:
    """Time the threads of ``pid`` and its descendants have waited for a CPU while runnable.

    From ``/proc/<pid>/task/<tid>/schedstat`` (its second field, in ns): it grows when other
    processes compete for the cores. Threads that have exited no longer count.
    """
    total = 0
    for process in process_tree(pid):
        try:
            tasks = os.listdir(f"/proc/{process}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{process}/task/{task}/schedstat") as schedstat:
                    total += int(schedstat.read().split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return total / 1e9


def peak_rss_kb(sampler: RssSampler) -> tuple[int, int]:
    """The peak (larger of sampled VmRSS and VmHWM) of the sampler's process, and VmHWM."""
    hwm_kb = read_status_kb(sampler.pid, "VmHWM") or 0
    return max(sampler.peak_kb, hwm_kb), hwm_kb


# --- the client -------------------------------------------------------------------


def login(
    base_url: str, username: str = USERNAME, email: str = EMAIL, password: str = PASSWORD
) -> str:
    """Sign up an account (the benchmark account by default) and return an access token."""
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        account = {"username": username, "email": email, "password": password}
        signup = client.post("/api/v1/auth/signup", json=account)
        if signup.status_code != 201:
            raise BenchError(f"signup of {username} answered {signup.status_code}: {signup.text}")
        form = {"username": username, "password": password}
        tokens = client.post("/api/v1/auth/login", data=form)
        if tokens.status_code != 200:
            raise BenchError(f"login answered {tokens.status_code}: {tokens.text}")
        return str(tokens.json()["access_token"])


@dataclass(frozen=True)
class Account:
    username: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def in_parallel(
    items: Sequence[T], work: Callable[[T], Awaitable[R]], concurrency: int
) -> list[R]:
    """``work`` on every item, ``concurrency`` at a time; the first failure stops the rest."""
    results: dict[int, R] = {}
    failures: list[Exception] = []
    pending = iter(enumerate(items))

    async def worker() -> None:
        for index, item in pending:
            if failures:
                return
            try:
                results[index] = await work(item)
            except (BenchError, httpx.HTTPError) as exc:
                failures.append(exc)
                return

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    if failures:
        raise failures[0]
    return [results[index] for index in range(len(items))]


async def healthz_while(
    client: httpx.AsyncClient,
    read: Callable[[], Awaitable[object]],
    readers: int = 4,
    probes: int = 100,
) -> list[float]:
    """Milliseconds of ``probes`` /healthz requests, one at a time, while ``readers`` clients
    run ``read`` in a loop: whether that work blocks the server's event loop."""
    done = asyncio.Event()

    async def keep_reading() -> None:
        while not done.is_set():
            await read()

    tasks = [asyncio.create_task(keep_reading()) for _ in range(readers)]
    health = []
    for _ in range(probes):
        started = time.perf_counter()
        expect(await client.get("/healthz"), 200, "/healthz")
        health.append((time.perf_counter() - started) * 1000)
    done.set()
    await asyncio.gather(*tasks)
    return health


def report_health(health: list[float], readers: str, target_ms: float = 50) -> None:
    """Print what :func:`healthz_while` measured, and whether its worst stayed under target."""
    print(
        f"/healthz under {readers}: p50 {percentile(health, 50):.1f} ms, max {max(health):.1f} ms"
    )
    print(f"target /healthz max < {target_ms:g} ms: {verdict(max(health) < target_ms)}")


async def sign_up(base_url: str, names: list[str], concurrency: int = 4) -> list[Account]:
    """Sign up and log in these accounts (``login``, in threads), in the order given."""

    async def one(name: str) -> Account:
        token = await asyncio.to_thread(login, base_url, name, f"{name}@example.com", PASSWORD)
        return Account(name, token)

    return await in_parallel(names, one, concurrency)


def expect(response: httpx.Response, status: int, what: str, shown: int = 500) -> Any:
    """The JSON body (None if the body is not JSON) of a response that must have ``status``.

    Otherwise raise ``BenchError`` with the first ``shown`` characters of the body.
    """
    if response.status_code != status:
        raise BenchError(f"{what} answered {response.status_code}: {response.text[:shown]}")
    return response.json() if response.headers.get("content-type") == "application/json" else None


def sentence(rng: random.Random, words: Sequence[str], low: int, high: int) -> str:
    """``low`` to ``high`` distinct words at random, capitalised."""
    return " ".join(rng.sample(words, rng.randint(low, high))).capitalize()


def tag_list(rng: random.Random, tags: Sequence[str]) -> str:
    """One to three distinct tags at random, comma-separated."""
    return ",".join(rng.sample(tags, rng.randint(1, 3)))


# --- wrk ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """What ``wrk --latency`` (or another load generator) reported; None: not reported."""

    requests_per_s: float
    avg_ms: float | None
    p50_ms: float | None
    p99_ms: float | None
    requests: int
    bad_status: int
    socket_errors: str


_DURATION = re.compile(r"^([\d.]+)(us|ms|s|m)$")
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk_ms(text: str) -> float | None:
    """wrk's '15.20ms' or '1.02s' in milliseconds (None if it is not a duration)."""
    match = _DURATION.match(text)
    return float(match[1]) * _UNIT_MS[match[2]] if match else None


def parse_wrk(output: str, latency_required: bool = False) -> Load:
    """The figures of ``wrk --latency`` output.

    The rate must be there; with ``latency_required`` the p50 and p99 latencies too (else
    ``BenchError``), otherwise latencies it does not show or that cannot be read are None.
    """
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    avg = re.search(r"^\s+Latency\s+(\S+)", output, re.MULTILINE)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if rate is None or (latency_required and (p50 is None or p99 is None)):
        raise BenchError(f"cannot read wrk's output:\n{output}")

    def latency_ms(found: re.Match[str] | None, required: bool) -> float | None:
        if found is None:
            return None
        value = wrk_ms(found[1])
        if value is None and required:
            raise BenchError(f"cannot read wrk's latency {found[1]!r}")
        return value

    total = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors:\s+(.+)$", output, re.MULTILINE)
    return Load(
        requests_per_s=float(rate[1]),
        avg_ms=latency_ms(avg, False),
        p50_ms=latency_ms(p50, latency_required),
        p99_ms=latency_ms(p99, latency_required),
        requests=int(total[1]) if total else 0,
        bad_status=int(bad[1]) if bad else 0,
        socket_errors=sockets[1].strip() if sockets else "none",
    )


def run_wrk(
    wrk: str,
    url: str,
    duration_s: int,
    threads: int,
    connections: int,
    timeout_s: int | None = None,
    latency_required: bool = False,
) -> Load:
    """Run ``wrk --latency`` on ``url`` (with its ``--timeout`` if given); its figures."""
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration_s}s"]
    if timeout_s is not None:
        command += ["--timeout", f"{timeout_s}s"]
    command += ["--latency", url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout, latency_required)


# --- figures ----------------------------------------------------------------------


def percentile(values: list[float], pct: int) -> float:
    """The ``pct``-th percentile, interpolated between the closest ranks."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"
