"""The embedded database as one JSON document, read from its file (a server may be running).

The output is what earlier versions kept as ``mongo.json``: ``{collection: [documents]}``
in Canonical Extended JSON, which ``mongoimport`` and ``jq`` read. It is the snapshot
with the journal replayed, read in one SQLite transaction, so it is consistent even
while the server writes; nothing in the data dir changes.
"""

from __future__ import annotations

from typing import Any

import mongomock
from bson import json_util
from bson.json_util import JSONMode, JSONOptions

from photoshare.config import Settings
from photoshare.embedded import mongo_snapshot
from photoshare.embedded.journal import open_file
from photoshare.embedded.mongo import STORE_FILE

_OPTIONS = JSONOptions(json_mode=JSONMode.CANONICAL, tz_aware=True)


class NoEmbeddedStore(FileNotFoundError):
    """The data dir holds no embedded database."""


def export_json(settings: Settings) -> str:
    """Every collection of the embedded database, as Canonical Extended JSON."""
    path = settings.data_dir / STORE_FILE
    if not path.exists():
        raise NoEmbeddedStore(f"no embedded database in {settings.data_dir} ({path} is missing)")
    file = open_file(settings, STORE_FILE, read_only=True)
    try:
        contents = file.read()
    finally:
        file.close()
    database: Any = mongomock.MongoClient(tz_aware=True)[settings.mongodb_database]
    mongo_snapshot.load(database, contents.snapshot)
    mongo_snapshot.replay(database, contents.journal)
    collections = {
        name: list(database.get_collection(name).find({}))
        for name in sorted(database.list_collection_names())
    }
    return str(json_util.dumps(collections, json_options=_OPTIONS))
