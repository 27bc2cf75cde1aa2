"""Revoked access tokens and logins, kept in Redis with TTLs."""

from __future__ import annotations

from redis.asyncio import Redis


class Denylist:
    """Access tokens stay valid until they expire unless listed here."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def revoke_token(self, jti: str, seconds_left: int) -> None:
        if seconds_left > 0:
            await self._redis.set(f"revoked:jti:{jti}", "1", ex=seconds_left)

    async def revoke_login(self, session_id: str, seconds: int) -> None:
        """Refuse every access token of one login for as long as any could still live."""
        await self._redis.set(f"revoked:sid:{session_id}", "1", ex=seconds)

    async def is_revoked(self, jti: str, session_id: str | None) -> bool:
        keys = [f"revoked:jti:{jti}"]
        if session_id:
            keys.append(f"revoked:sid:{session_id}")
        return bool(await self._redis.exists(*keys))
