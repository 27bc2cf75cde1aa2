"""The Redis connection: a real server when configured, fakeredis in embedded mode.

Only short-lived keys live here (revoked token ids, rate counters). In embedded mode
every write is journaled in ``<data dir>/redis.sqlite3`` before it is acknowledged
(``photoshare.embedded.redis``), so a logged-out token stays logged out whatever stops
the process.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from photoshare.config import Settings
from photoshare.embedded import redis as embedded_redis

# KEYS: the counters; ARGV: a limit and a window in seconds per counter. Checking and
# counting in one script makes them atomic: every worker sees the same counts, and no
# two attempts can both take the last unit of a quota.
_TAKE = """
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[2 * i - 1]) then
    local ttl = redis.call('TTL', key)
    if ttl < 0 then return tonumber(ARGV[2 * i]) end
    return math.max(ttl, 1)
  end
end
for i, key in ipairs(KEYS) do
  redis.call('INCR', key)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[2 * i]) end
end
return 0
"""

# A counter whose window has ended is gone; refunding it must not leave a -1 behind.
_REFUND = """
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0
"""


@dataclass(frozen=True)
class Quota:
    """At most ``limit`` attempts under ``key`` in a window that starts with the first."""

    key: str
    limit: int
    window_seconds: int


class RateCounters:
    """Fixed-window attempt counters, kept in Redis so that several workers share them."""

    def __init__(self, redis: Redis) -> None:
        self._take = redis.register_script(_TAKE)
        self._refund = redis.register_script(_REFUND)

    async def take(self, *quotas: Quota) -> int | None:
        """Count one attempt against every quota, or against none when one is spent.

        Returns None when the attempt was counted, else the seconds until the spent
        quota's window ends.
        """
        keys = [quota.key for quota in quotas]
        args = [value for quota in quotas for value in (quota.limit, quota.window_seconds)]
        wait = int(await self._take(keys=keys, args=args))
        return wait or None

    async def refund(self, *quotas: Quota) -> None:
        """Give back one counted attempt of each quota (it turned out not to count)."""
        await self._refund(keys=[quota.key for quota in quotas])


class KeyValueStore:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        # The counters of write limits and recovery requests; their scripts registered once.
        self.counters = RateCounters(redis)

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        if isinstance(self.redis, embedded_redis.JournaledRedis):
            await self.redis.close_journal()
        await self.redis.aclose()


async def connect(settings: Settings, *, read_only: bool = False) -> KeyValueStore:
    """Open Redis at PHOTOSHARE_REDIS_URL, or an in-process fakeredis."""
    if settings.redis_url is not None:
        return KeyValueStore(Redis.from_url(settings.redis_url.get_secret_value()))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return KeyValueStore(await embedded_redis.open_store(settings, read_only=read_only))
