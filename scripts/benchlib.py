"""Shared pieces of the PhotoShare benchmarks (``bench_upload.py``, ``bench_transform.py``...).

- ``build_jpeg``: a realistic 4000x3000 photo-like JPEG (gradient plus grain, a few MB).
- ``running_server``: starts ``python -m photoshare.cli serve`` on a free 127.0.0.1 port
  with a fresh data dir and no ``PHOTOSHARE_*``/``CLOUDINARY_URL`` settings (embedded
  mode: in-process store, local files), waits for ``/healthz`` and stops it afterwards;
  its output goes to ``<data dir>/server.log``, whose tail is shown if it fails to start.
  A caller may add settings of its own (``extra_env``) and ask for several ``workers``.
- ``login``: signs up the benchmark account (or another one) and returns a bearer token.
- ``RssSampler``, ``read_status_kb``, ``peak_rss_kb``, ``reset_peak_rss``: a process's
  resident memory from ``/proc/<pid>/status`` (VmRSS sampled in a thread, VmHWM as the
  kernel's high-water mark). Linux only.
- ``cpu_seconds``, ``run_queue_wait_s``: CPU time used by a process and its descendants,
  and time their threads waited for a CPU, from ``/proc``.
- ``percentile``: interpolated percentiles of latency samples.

The benchmarks run from the repository root with the project's virtualenv, e.g.
``.venv/bin/python scripts/bench_upload.py``; they import this module from their folder.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pyvips

WIDTH, HEIGHT = 4000, 3000
JPEG_QUALITY = 90
HEALTH_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0
RSS_INTERVAL_S = 0.05

# The checkout these scripts belong to: the server runs from here so that
# ``python -m photoshare.cli`` imports this code (the package may not import from elsewhere).
REPO_ROOT = Path(__file__).resolve().parents[1]

USERNAME = "bench"
EMAIL = "bench@example.com"
PASSWORD = "benchmark password"  # noqa: S105 - a throwaway account on a throwaway server


class BenchError(RuntimeError):
    """The benchmark cannot go on; the message says why."""


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


@dataclass(frozen=True)
class Server:
    """A running benchmark server."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

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


def server_env(data_dir: Path) -> dict[str, str]:
    """The caller's environment without PhotoShare settings, pointed at ``data_dir``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PHOTOSHARE_") and name != "CLOUDINARY_URL"
    }
    env["PHOTOSHARE_DATA_DIR"] = str(data_dir)
    return env


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
    command = [sys.executable, "-m", "photoshare.cli", "serve", "--port", str(port)]
    if workers != 1:
        command += ["--workers", str(workers)]
    return subprocess.Popen(
        command,
        env={**server_env(data_dir), **(extra_env or {})},
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
    with log_path.open("wb") as log:
        process = start_server(data_dir, port, log, extra_env, workers)
        server = Server(process, port, log_path)
        try:
            try:
                wait_healthy(server.base_url, process)
            except BenchError as exc:
                raise BenchError(f"{exc}\n--- server log ---\n{log_tail(log_path)}") from exc
            yield server
        finally:
            stop_server(process, prog)


def warn_about_dotenv(prog: str) -> None:
    """The server reads ``.env`` in the repository root, which may change its mode."""
    if (REPO_ROOT / ".env").exists():
        print(f"{prog}: warning: {REPO_ROOT / '.env'} exists and the server will read it")


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


# --- figures ----------------------------------------------------------------------


def percentile(values: list[float], pct: int) -> float:
    """The ``pct``-th percentile, interpolated between the closest ranks."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"
