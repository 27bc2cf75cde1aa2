"""The Redis connection: a real server when configured, fakeredis in embedded mode.

Only short-lived keys live here (revoked token ids, rate counters). In embedded mode
they are kept in a small JSON file across a clean restart, so a logged-out token stays
logged out.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import fakeredis
from redis.asyncio import Redis
from redis.exceptions import RedisError

from photoshare.config import Settings
from photoshare.snapshots import read_snapshot, write_snapshot

log = logging.getLogger(__name__)


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
    def __init__(self, redis: Redis, snapshot: Path | None, read_only: bool = False) -> None:
        self.redis = redis
        self.snapshot = snapshot
        # A read-only opening (a report next to a running server) never writes the data dir.
        self.read_only = read_only

    @property
    def embedded(self) -> bool:
        return self.snapshot is not None

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        if self.snapshot is not None and not self.read_only:
            await self._write_snapshot(self.snapshot)
        await self.redis.aclose()

    async def _write_snapshot(self, path: Path) -> None:
        entries: dict[str, list[str | int]] = {}
        async for key in self.redis.scan_iter(count=1000):
            if await self.redis.type(key) != b"string":
                continue
            value, ttl_ms = await self.redis.get(key), await self.redis.pttl(key)
            if value is not None and ttl_ms != -2:
                entries[key.decode()] = [value.decode(), ttl_ms]
        await write_snapshot(path, json.dumps(entries))

    async def _load_snapshot(self, path: Path) -> None:
        text = await read_snapshot(path)
        if text is None:
            return
        for key, (value, ttl_ms) in json.loads(text).items():
            await self.redis.set(key, value, px=int(ttl_ms) if int(ttl_ms) > 0 else None)


async def connect(settings: Settings, *, read_only: bool = False) -> KeyValueStore:
    """Open Redis at PHOTOSHARE_REDIS_URL, or an in-process fakeredis."""
    if settings.redis_url is not None:
        return KeyValueStore(Redis.from_url(settings.redis_url.get_secret_value()), snapshot=None)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = KeyValueStore(
        fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer()),
        snapshot=settings.data_dir / "redis.json",
        read_only=read_only,
    )
    assert store.snapshot is not None
    await store._load_snapshot(store.snapshot)
    return store
