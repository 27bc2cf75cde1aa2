"""Revoked access tokens and logins, and failed-login counters, kept in Redis with TTLs."""

from __future__ import annotations

from redis.asyncio import Redis

from photoshare.config import Settings
from photoshare.errors import TooManyRequests


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


class LoginThrottle:
    """Counts failed logins per account and per client address within a window."""

    def __init__(self, redis: Redis, settings: Settings) -> None:
        self._redis = redis
        self._window = settings.login_failure_window_seconds
        self._limits = (
            settings.login_max_failures_per_account,
            settings.login_max_failures_per_address,
        )

    @staticmethod
    def _keys(account: str, address: str) -> tuple[str, str]:
        return f"login-fail:account:{account}", f"login-fail:address:{address}"

    async def check(self, account: str, address: str) -> None:
        """Raise 429 when the account or the address has failed too often lately."""
        keys = self._keys(account, address)
        counts = await self._redis.mget(keys)
        for key, count, limit in zip(keys, counts, self._limits, strict=True):
            if count is not None and int(count) >= limit:
                retry_after = await self._redis.ttl(key)
                raise TooManyRequests(
                    "Too many failed logins; try again later",
                    retry_after=retry_after if retry_after > 0 else self._window,
                )

    async def record_failure(self, account: str, address: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in self._keys(account, address):
                pipe.incr(key)
                pipe.expire(key, self._window, nx=True)
            await pipe.execute()

    async def reset_account(self, account: str) -> None:
        await self._redis.delete(self._keys(account, "")[0])
