"""Servers started by tests: the app in-process, and on 127.0.0.1 redis-server, an SMTP sink
and `photoshare serve`."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from subprocess import CompletedProcess

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from photoshare.app import create_app
from photoshare.config import Settings
from tests.real_mongodb import DATABASES

# Generous: a start or stop loads or saves the whole embedded store, and a CI machine
# running the suite on every core can take longer than asgi-lifespan's default 5 s.
LIFESPAN_SECONDS = 120


def lifespan(app: FastAPI) -> LifespanManager:
    """Run ``app``'s lifespan (start on enter, clean stop on exit)."""
    return LifespanManager(app, startup_timeout=LIFESPAN_SECONDS, shutdown_timeout=LIFESPAN_SECONDS)


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app on these settings from start to a clean stop, and a client to it."""
    app = create_app(settings)
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def http_stand_in(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """Serve ``handler`` (a fake of an outside HTTP service) on 127.0.0.1; yields its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # A handler still sleeping (a deliberately slow fake) must not hold up the stop.
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=handler.__name__, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """Run a throwaway redis-server and yield its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def photoshare_env(data_dir: Path, base_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a `photoshare` process on ``data_dir``, with cheap hashing.

    With a test MongoDB server, the process uses the data dir's database on it (and
    ``base_url``, where it serves, as its public address).
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PHOTOSHARE_") and k != "CLOUDINARY_URL"
    }
    env.update(
        PHOTOSHARE_DATA_DIR=str(data_dir),
        PHOTOSHARE_ARGON2_MEMORY_KIB="64",
        PHOTOSHARE_ARGON2_TIME_COST="1",
        PHOTOSHARE_RATE_LIMIT_SIGNUPS_PER_HOUR="10000",
    )
    env.update(DATABASES.environment(data_dir, *([base_url] if base_url else [])))
    env.update(extra)
    return env


def photoshare(data_dir: Path, *args: str, stdin: str = "", **env: str) -> CompletedProcess[str]:
    """Run a `photoshare` command on ``data_dir`` to its end."""
    return subprocess.run(
        [sys.executable, "-m", "photoshare.cli", *args],
        env=photoshare_env(data_dir, **env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@dataclass
class ServeProcess:
    """`photoshare serve` running as a real process; its output goes to a log file."""

    process: subprocess.Popen[bytes]
    base: str
    data_dir: Path
    log: Path

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, stop_signal: int = signal.SIGINT) -> int:
        """Send a stop signal and wait (without a deadline that matters) for the exit code."""
        self.process.send_signal(stop_signal)
        return self.process.wait(timeout=120)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


def wait_until_serving(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"the server ended:\n{log.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the server did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


@contextmanager
def serving(data_dir: Path, log: Path, **env: str) -> Iterator[ServeProcess]:
    """Start `photoshare serve` on ``data_dir``; stopped with Ctrl+C's signal if still up."""
    port = free_port()
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "photoshare.cli", "serve", "--port", str(port)],
            env=photoshare_env(data_dir, f"http://127.0.0.1:{port}", **env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = ServeProcess(process, f"http://127.0.0.1:{port}", data_dir, log)
    try:
        wait_until_serving(process, server.base, log)
        yield server
    finally:
        if process.poll() is None:
            server.stop()


@contextmanager
def signed_in(
    base: str, username: str, password: str, timeout: float = 60
) -> Iterator[httpx.Client]:
    """A client of the API of the server at ``base``, as a new account it signs up and logs in."""
    with httpx.Client(base_url=f"{base}/api/v1", timeout=timeout) as api:
        signup = {"username": username, "email": f"{username}@example.com", "password": password}
        api.post("/auth/signup", json=signup).raise_for_status()
        login = api.post("/auth/login", data={"username": username, "password": password})
        login.raise_for_status()
        api.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        yield api
