"""An argon2 hasher that counts the hashes and verifications it performs, and an app using it."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import httpx
from argon2 import PasswordHasher as Argon2Hasher
from fastapi import FastAPI

from photoshare.app import create_app
from photoshare.auth.passwords import PasswordHasher
from photoshare.config import Settings
from tests.servers import lifespan


class CountingArgon2(Argon2Hasher):
    """Cheap argon2 that records its calls and the most that ran at once.

    Each call also holds its worker thread for ``hold`` seconds, as a real 64 MiB hash
    would, so that requests sent together really overlap.
    """

    def __init__(self, hold: float = 0.02) -> None:
        super().__init__(time_cost=1, memory_cost=64, parallelism=1)
        self.hold = hold
        self.hashes = 0
        self.verifications = 0
        self.running = 0
        self.peak = 0
        self._lock = threading.Lock()

    @contextmanager
    def _one_running(self) -> Iterator[None]:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(self.hold)
            yield
        finally:
            with self._lock:
                self.running -= 1

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        with self._one_running():
            self.hashes += 1
            return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._one_running():
            self.verifications += 1
            return super().verify(hash, password)


@asynccontextmanager
async def counted_app(settings: Settings, argon2: CountingArgon2) -> AsyncIterator[FastAPI]:
    """The app, its lifespan running, hashing passwords with ``argon2``."""
    app = create_app(settings)
    async with lifespan(app):
        app.state.runtime.passwords = PasswordHasher(settings, argon2=argon2)
        # The dummy hash made at start-up is not a request's work.
        argon2.hashes = 0
        yield app


def client_at(app: FastAPI, address: str) -> httpx.AsyncClient:
    """An HTTP client whose requests come from ``address``."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")
