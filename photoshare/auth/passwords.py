"""Argon2id password hashing, run in a worker thread so it never blocks the event loop."""

from __future__ import annotations

import anyio.to_thread
from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from photoshare.config import Settings


class PasswordHasher:
    def __init__(self, settings: Settings) -> None:
        self._argon2 = Argon2Hasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        # Verified against when the account does not exist, so an unknown name
        # costs as much time as a wrong password and reveals nothing.
        self._dummy_hash = self._argon2.hash("no such account, same cost")

    async def hash(self, password: str) -> str:
        """Hash a password with argon2id."""
        return await anyio.to_thread.run_sync(self._argon2.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Check a password against its hash; with no hash, spend the same time and fail."""
        target = password_hash or self._dummy_hash
        try:
            ok = await anyio.to_thread.run_sync(self._argon2.verify, target, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return bool(ok) and password_hash is not None
