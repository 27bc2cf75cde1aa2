"""The Redis connection: a real server when configured, fakeredis in embedded mode.

Only short-lived keys live here (revoked token ids, login failure counters). In
embedded mode they are kept in a small JSON file across a clean restart, so a
logged-out token stays logged out.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import fakeredis
from redis.asyncio import Redis
from redis.exceptions import RedisError

from photoshare.config import Settings
from photoshare.snapshots import read_snapshot, write_snapshot

log = logging.getLogger(__name__)


class KeyValueStore:
    def __init__(self, redis: Redis, snapshot: Path | None) -> None:
        self.redis = redis
        self.snapshot = snapshot

    @property
    def embedded(self) -> bool:
        return self.snapshot is not None

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        if self.snapshot is not None:
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


async def connect(settings: Settings) -> KeyValueStore:
    """Open Redis at PHOTOSHARE_REDIS_URL, or an in-process fakeredis."""
    if settings.redis_url is not None:
        return KeyValueStore(Redis.from_url(settings.redis_url.get_secret_value()), snapshot=None)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = KeyValueStore(
        fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer()),
        snapshot=settings.data_dir / "redis.json",
    )
    assert store.snapshot is not None
    await store._load_snapshot(store.snapshot)
    return store
