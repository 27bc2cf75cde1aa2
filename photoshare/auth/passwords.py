"""Argon2id password hashing in worker threads, a few at a time.

Each hash holds ``argon2_memory_kib`` for as long as it runs, so the number running at
once (``password_hash_concurrency``) bounds the memory they take; requests beyond it
wait their turn, and beyond ``password_hash_queue`` waiting ones are turned away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from photoshare.config import Settings
from photoshare.errors import ServiceUnavailable

T = TypeVar("T")

# A queue that is full drains in a few seconds at most (each hash takes well under one).
BUSY_RETRY_AFTER_SECONDS = 5


class PasswordHasher:
    def __init__(self, settings: Settings, argon2: Argon2Hasher | None = None) -> None:
        self._argon2 = argon2 or Argon2Hasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        self._slots = anyio.CapacityLimiter(settings.password_hash_concurrency)
        self._most_pending = settings.password_hash_concurrency + settings.password_hash_queue
        self._pending = 0
        # Verified against when the account does not exist, so an unknown name
        # costs as much time as a wrong password and reveals nothing.
        self._dummy_hash = self._argon2.hash("no such account, same cost")

    async def _run(self, work: Callable[..., T], *args: str) -> T:
        # Counted here, before any await, so that requests arriving together see each other.
        if self._pending >= self._most_pending:
            raise ServiceUnavailable(
                "The server is busy checking passwords; try again in a few seconds",
                headers={"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)},
            )
        self._pending += 1
        try:
            return await anyio.to_thread.run_sync(work, *args, limiter=self._slots)
        finally:
            self._pending -= 1

    async def hash(self, password: str) -> str:
        """Hash a password with argon2id, waiting for a free hashing slot."""
        return await self._run(self._argon2.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Check a password against its hash; with no hash, spend the same time and fail."""
        target = password_hash or self._dummy_hash
        try:
            ok = await self._run(self._argon2.verify, target, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return bool(ok) and password_hash is not None
