"""The embedded MongoDB's snapshot rows and the replay of its journal.

A snapshot row is one document (section: its collection) or one collection's index set
(section ``$indexes``). Documents load first, with no index to check them against (they
were valid when written), then the indexes, then the journal is replayed, in order,
with the indexes the server had. mongomock is untyped: databases are ``Any`` here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import bson

from photoshare.embedded import indexes
from photoshare.embedded.journal import Entry

log = logging.getLogger(__name__)


def dump(database: Any) -> Iterator[tuple[str, bytes]]:
    """Every document of every collection, in the store's order, then their indexes.

    The documents are read from mongomock's collection store as they are kept, without
    the copy a ``find`` makes of each: encoding is all a snapshot needs (twenty times
    faster, and the event loop waits while a compaction runs).
    """
    names = database.list_collection_names()
    for name in names:
        for document in database.get_collection(name)._store.documents:
            yield name, bson.encode(document)
    for name in names:
        described = indexes.describe(database.get_collection(name))
        if described:
            yield indexes.SECTION, bson.encode({"c": name, "a": described})


def load(database: Any, rows: list[tuple[str, bytes]]) -> int:
    """Insert the snapshot's documents, then create its indexes; return how many documents."""
    documents: dict[str, list[dict[str, Any]]] = {}
    index_sets = []
    for section, body in rows:
        if section == indexes.SECTION:
            index_sets.append(bson.decode(body))
        else:
            documents.setdefault(section, []).append(bson.decode(body))
    for name, batch in documents.items():
        database.get_collection(name).insert_many(batch)
    for index_set in index_sets:
        indexes.restore(database.get_collection(index_set["c"]), index_set["a"])
    return sum(len(batch) for batch in documents.values())


def _replay_one(database: Any, recorded: dict[str, Any]) -> None:
    name = str(recorded["op"])
    if name == indexes.SECTION:
        indexes.restore(database.get_collection(recorded["c"]), recorded["a"])
        return
    target = database if "c" not in recorded else database.get_collection(recorded["c"])
    getattr(target, name)(**recorded["a"])


def replay(database: Any, entries: list[Entry]) -> None:
    """Make the journal's writes again, in order, over the snapshot just loaded."""
    for entry in entries:
        recorded = bson.decode(entry.body)
        try:
            _replay_one(database, recorded)
        except Exception as exc:
            if not entry.failed:
                # It was being made when the process stopped, or replay differs: say so.
                log.warning(
                    "journal entry %d (%s) raised at replay: %r", entry.seq, recorded["op"], exc
                )
