"""The embedded Redis (fakeredis) with every write in the journal before its reply.

The journal records what a write left behind, not the command: after each write, the
value and absolute expiry (ms since the epoch) of every key it touched. A relative TTL
thus means the same at replay, and a Lua script (the rate counters) is never run again:
its result is there. Writes take turns (one lock; reads do not wait), so each entry is
the state its write produced. A write that cannot be recorded is undone (the keys get
their earlier state back) and refused with ``ChangeNotSaved``, a 503.

Only string keys are kept, as the service uses no other type; a command outside the
table below is refused, so nothing is ever changed without being recorded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

import bson
import fakeredis
from redis.exceptions import ResponseError

from photoshare.config import Settings
from photoshare.embedded import legacy
from photoshare.embedded.journal import StoreFile, open_file
from photoshare.errors import ChangeNotSaved

log = logging.getLogger(__name__)

STORE_FILE = "redis.sqlite3"

_READS = frozenset(
    {
        "GET", "MGET", "EXISTS", "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "TYPE", "SCAN",
        "KEYS", "PING", "ECHO", "DBSIZE", "STRLEN", "GETRANGE", "INFO", "TIME", "RANDOMKEY",
        # The script cache is not data: a script is loaded again when it is missing.
        "SCRIPT",
    }
)  # fmt: skip
_FIRST_KEY = frozenset(
    {
        "SET", "SETEX", "PSETEX", "SETNX", "GETSET", "GETDEL", "GETEX", "INCR", "INCRBY",
        "INCRBYFLOAT", "DECR", "DECRBY", "APPEND", "SETRANGE", "EXPIRE", "PEXPIRE",
        "EXPIREAT", "PEXPIREAT", "PERSIST",
    }
)  # fmt: skip
_EVERY_KEY = frozenset({"DEL", "UNLINK"})
_SCRIPTS = frozenset({"EVAL", "EVALSHA"})
_FLUSHES = frozenset({"FLUSHDB", "FLUSHALL"})

# A key's state: {"k": key, "v": value or None (no key), "x": expiry in epoch ms or None}.
State = dict[str, Any]


def _touched_keys(name: str, args: Sequence[Any]) -> list[Any]:
    if name in _FIRST_KEY:
        return [args[1]]
    if name in _EVERY_KEY:
        return list(args[1:])
    if name in _SCRIPTS:
        return list(args[3 : 3 + int(args[2])])
    raise ResponseError(f"ERR {name} is not supported by the embedded store's journal")


class JournaledRedis(fakeredis.FakeAsyncRedis):
    """fakeredis whose writes are journaled once ``attach`` has given it a store file."""

    _file: StoreFile | None = None
    _writes: asyncio.Lock | None = None

    def attach(self, file: StoreFile) -> None:
        self._file, self._writes = file, asyncio.Lock()

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        name = str(args[0]).split(" ", 1)[0].upper()
        if self._file is None or self._writes is None or name in _READS:
            return await self._raw(*args, **options)
        if name in _FLUSHES:
            async with self._writes:
                self._file.append(bson.encode({"flush": True}))
                return await self._raw(*args, **options)
        keys = [self._key(key) for key in _touched_keys(name, args)]
        async with self._writes:
            before = await self._states(keys)
            try:
                return await self._raw(*args, **options)
            finally:
                await self._record(before, await self._states(keys))

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Any:
        """Refused: a pipeline's writes would not pass through the journal."""
        raise NotImplementedError("the embedded store journals single commands, not pipelines")

    async def _raw(self, *args: Any, **options: Any) -> Any:
        """A command straight to fakeredis, not journaled."""
        return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]

    def _key(self, key: Any) -> bytes:
        encoder = self.connection_pool.get_encoder()  # type: ignore[no-untyped-call]
        encoded: bytes = encoder.encode(key)
        return encoded

    async def _states(self, keys: list[bytes]) -> list[State]:
        states = []
        for key in keys:
            value = await self._raw("GET", key)
            expires = int(await self._raw("PEXPIRETIME", key))
            states.append({"k": key, "v": value, "x": expires if expires >= 0 else None})
        return states

    async def _record(self, before: list[State], after: list[State]) -> None:
        assert self._file is not None
        if after == before:
            return
        try:
            self._file.append(bson.encode({"keys": after}))
        except ChangeNotSaved:
            for state in before:
                await self.put(state)
            raise
        if self._file.wants_compaction:
            await self._compact()

    async def put(self, state: State) -> None:
        """Give one key the recorded state (no key, when it has expired since)."""
        key, value, expires = state["k"], state["v"], state["x"]
        if value is None or (expires is not None and expires <= time.time() * 1000):
            await self._raw("DEL", key)
        elif expires is None:
            await self._raw("SET", key, value)
        else:
            await self._raw("SET", key, value, "PXAT", expires)

    async def replay(self, body: bytes) -> None:
        recorded = bson.decode(body)
        if recorded.get("flush"):
            await self._raw("FLUSHDB")
        for state in recorded.get("keys", []):
            await self.put(state)

    async def _dump(self) -> list[tuple[str, bytes]]:
        rows = []
        for key in await self._raw("KEYS", "*"):
            kind = await self._raw("TYPE", key)
            if kind not in (b"string", "string"):
                log.warning("embedded Redis: key %r of type %s is not kept", key, kind)
                continue
            (state,) = await self._states([key])
            if state["v"] is not None:
                rows.append(("string", bson.encode(state)))
        return rows

    async def _compact(self) -> bool:
        assert self._file is not None
        return self._file.replace_snapshot(await self._dump())

    async def compact(self) -> bool:
        """Write every key as a fresh snapshot and empty the journal."""
        assert self._writes is not None
        async with self._writes:
            return await self._compact()

    async def close_journal(self) -> None:
        """Compact (a clean stop starts quickly next time) and close the file."""
        if self._file is None or self._writes is None:
            return
        async with self._writes:
            if await self._compact():
                log.info("embedded Redis saved to %s", self._file.path)
            self._file.close()
            self._file = None


async def _migrate(redis: JournaledRedis, settings: Settings) -> bool:
    """Load an old ``redis.json`` (TTLs counted from now, as it always was); True if any."""
    entries = legacy.read_redis(settings.data_dir / legacy.REDIS_JSON)
    for key, (value, ttl_ms) in (entries or {}).items():
        await redis.set(key, value, px=ttl_ms if ttl_ms > 0 else None)
    return entries is not None


async def open_store(settings: Settings, *, read_only: bool = False) -> JournaledRedis:
    """A fakeredis holding the last snapshot with the journal replayed over it.

    ``read_only`` (a report next to a running server) loads the same keys and attaches no
    journal: the data dir is left untouched.
    """
    redis = JournaledRedis(server=fakeredis.FakeServer())
    if read_only:
        if (settings.data_dir / STORE_FILE).exists():
            file = open_file(settings, STORE_FILE, read_only=True)
            try:
                contents = file.read()
            finally:
                file.close()
            for _, body in contents.snapshot:
                await redis.put(bson.decode(body))
            for entry in contents.journal:
                await redis.replay(entry.body)
        return redis
    file = open_file(settings, STORE_FILE)
    contents = file.read()
    for _, body in contents.snapshot:
        await redis.put(bson.decode(body))
    for entry in contents.journal:
        await redis.replay(entry.body)
    old_snapshot = settings.data_dir / legacy.REDIS_JSON
    redis.attach(file)
    if contents.initialised:
        legacy.warn_if_left_over(old_snapshot, file.path)
    else:
        migrated = await _migrate(redis, settings)
        if not await redis.compact():
            file.close()
            raise RuntimeError(f"the embedded store cannot write {file.path}; see the error above")
        if migrated:
            legacy.retire(old_snapshot, file.path)
    if file.wants_compaction:
        await redis.compact()
    return redis
