"""The JSON snapshots versions before the journal wrote: read once, then set aside.

``mongo.json`` is ``{collection: [documents]}`` in Canonical Extended JSON and
``redis.json`` is ``{key: [value, milliseconds left or -1]}``. A data dir that has one
and no store file yet is migrated on first start; the old file is then renamed with a
``.migrated`` suffix (kept, never read again).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from bson import json_util
from bson.json_util import JSONMode, JSONOptions

log = logging.getLogger(__name__)

MONGO_JSON = "mongo.json"
REDIS_JSON = "redis.json"
MIGRATED_SUFFIX = ".migrated"

_JSON_OPTIONS = JSONOptions(json_mode=JSONMode.CANONICAL, tz_aware=True)


def read_mongo(path: Path) -> dict[str, list[dict[str, Any]]] | None:
    """The collections of a ``mongo.json`` snapshot, or None when there is none."""
    if not path.exists():
        return None
    collections: dict[str, list[dict[str, Any]]] = json_util.loads(
        path.read_text(), json_options=_JSON_OPTIONS
    )
    return collections


def read_redis(path: Path) -> dict[str, tuple[str, int]] | None:
    """The keys of a ``redis.json`` snapshot with their values and TTLs in ms (-1: none)."""
    if not path.exists():
        return None
    entries = json.loads(path.read_text())
    return {key: (str(value), int(ttl_ms)) for key, (value, ttl_ms) in entries.items()}


def retire(path: Path, store_file: Path) -> None:
    """Rename a migrated snapshot so that it is never loaded again, and say so."""
    kept = path.with_name(path.name + MIGRATED_SUFFIX)
    path.replace(kept)
    log.info(
        "embedded store: migrated %s to %s; the old file is kept as %s", path, store_file, kept
    )


def warn_if_left_over(path: Path, store_file: Path) -> None:
    """An old snapshot next to a store file is not read: say so, it may hold lost work."""
    if path.exists():
        log.warning(
            "embedded store: %s is ignored: this data dir was migrated and its data lives "
            "in %s (an older version may have written that file since; move it away to "
            "silence this warning)",
            path,
            store_file,
        )
