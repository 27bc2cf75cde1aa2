"""The embedded MongoDB (mongomock) with every write in the journal before it is made.

The public write methods of mongomock's ``Collection`` are wrapped once: on a database
with a journal attached, a write is recorded (one small BSON entry, the operation and
its arguments), then made, synchronously, so no other request's write comes between
the two. A write that cannot be recorded is not made (``ChangeNotSaved``, a 503).

Replay calls the same methods with the same arguments over the same state, so it must
not meet a decision the server made on its own: inserted documents get their ``_id``
before they are recorded, and an upsert that will insert is pinned to a chosen ``_id``
(one that will update is recorded as a plain update). The service sets no server-side
time (no ``$currentDate``, no ``$$NOW``). The one clock mongomock reads is the TTL
index of refresh tokens: a token expired at replay is gone, as it would be anyway.
An operation that raised is kept, marked, and raises again at replay: an update can
have changed a document before it failed.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any

import bson
import mongomock.collection
import mongomock.database
from bson import ObjectId

from photoshare.config import Settings
from photoshare.embedded import bulk, indexes, legacy
from photoshare.embedded import mongo_snapshot as snapshot
from photoshare.embedded.journal import StoreFile, open_file

log = logging.getLogger(__name__)

STORE_FILE = "mongo.sqlite3"

_COLLECTION_WRITES = (
    "insert_one",
    "insert_many",
    "update_one",
    "update_many",
    "replace_one",
    "delete_one",
    "delete_many",
    "find_one_and_delete",
    "find_one_and_replace",
    "find_one_and_update",
    "bulk_write",
)
# Recorded as the collection's index set after the change (create_indexes calls
# create_index; photoshare.indexes calls these at start and in check-indexes --apply).
_INDEX_WRITES = ("create_index", "create_indexes", "drop_index", "drop_indexes")
# Collection.drop and Collection.rename call these.
_DATABASE_WRITES = ("drop_collection", "rename_collection")
_UPSERTING = frozenset(
    {"update_one", "update_many", "replace_one", "find_one_and_update", "find_one_and_replace"}
)
# They shape what a call returns, not what it changes (a session is always None here).
_NOT_RECORDED = frozenset({"projection", "return_document", "session"})

# Where a mongomock database's journal hangs: its DatabaseStore, shared by every
# Collection object of that database (they reach it as ``_db_store``).
_ATTACHED = "_photoshare_journal"

_Method = Callable[..., Any]
# mongomock has no type hints: its databases and collections are Any here.
_originals: dict[str, _Method] = {}


def install() -> None:
    """Wrap mongomock's write methods (once per process); a no-op for unjournaled stores."""
    if _originals:
        return
    for owner, names in (
        (mongomock.collection.Collection, _COLLECTION_WRITES + _INDEX_WRITES),
        (mongomock.database.Database, _DATABASE_WRITES),
    ):
        for name in names:
            _originals[name] = getattr(owner, name)
            setattr(owner, name, _journaled(name, _originals[name]))


def _journaled(name: str, original: _Method) -> _Method:
    parameters = list(inspect.signature(original).parameters.values())[1:]
    names = [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
    known, open_ended = frozenset(names), any(p.kind is p.VAR_KEYWORD for p in parameters)

    def well_formed(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        given = names[: len(args)]
        return (
            len(args) <= len(names)
            and (open_ended or kwargs.keys() <= known)
            and not any(name in kwargs for name in given)
        )

    @functools.wraps(original)
    def write(target: Any, *args: Any, **kwargs: Any) -> Any:
        journal = _journal_of(target)
        if (
            journal is None
            or journal.busy
            or kwargs.get("session") is not None
            or not well_formed(args, kwargs)
        ):
            # Not journaled, called from inside a journaled write, or refused by mongomock
            # (a session) or by Python (a wrong call), so nothing will change.
            return original(target, *args, **kwargs)
        try:
            return journal.write(target, name, {**dict(zip(names, args, strict=False)), **kwargs})
        finally:
            journal.compact_soon_if_due()

    return write


def _journal_of(target: Any) -> MongoJournal | None:
    store = (
        target._db_store if isinstance(target, mongomock.collection.Collection) else target._store
    )
    journal: MongoJournal | None = getattr(store, _ATTACHED, None)
    return journal


def _recorded(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments that decide what a write changes, as the journal keeps them."""
    return {
        key: value
        for key, value in arguments.items()
        if key not in _NOT_RECORDED and value is not None
    }


class MongoJournal:
    """The journal of one mongomock database, attached to it while the server runs."""

    def __init__(self, file: StoreFile, database: Any) -> None:
        self.file = file
        self.database = database
        self._local = threading.local()
        self._compaction_scheduled = False

    @property
    def busy(self) -> bool:
        return bool(getattr(self._local, "depth", 0))

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self.file.lock:
            self._local.depth = getattr(self._local, "depth", 0) + 1
            try:
                yield
            finally:
                self._local.depth -= 1

    def attach(self) -> None:
        setattr(self.database._store, _ATTACHED, self)

    def detach(self) -> None:
        if getattr(self.database._store, _ATTACHED, None) is self:
            delattr(self.database._store, _ATTACHED)

    def write(self, target: Any, name: str, arguments: dict[str, Any]) -> Any:
        """Record one write, then make it; a write that raised stays recorded, marked."""
        with self._writing():
            if name == "bulk_write":
                return bulk.write_each(self, target, arguments)
            if name in _INDEX_WRITES:
                return self._change_indexes(target, name, arguments)
            _decide(target, name, arguments)
            entry: dict[str, Any] = {"op": name, "a": _recorded(arguments)}
            if isinstance(target, mongomock.collection.Collection):
                entry["c"] = target.name
            seq = self.file.append(bson.encode(entry))
            try:
                return _originals[name](target, **arguments)
            except Exception:
                self.file.mark_failed(seq)
                raise

    def _change_indexes(self, collection: Any, name: str, arguments: dict[str, Any]) -> Any:
        result = _originals[name](collection, **arguments)
        # Index changes come at start-up, before any request: a failure here stops it.
        described = indexes.describe(collection)
        self.file.append(bson.encode({"op": indexes.SECTION, "c": collection.name, "a": described}))
        return result

    def write_one(self, target: Any, name: str, arguments: dict[str, Any]) -> Any:
        """One write of a bulk, checked against its method's parameters first."""
        inspect.signature(_originals[name]).bind(target, **arguments)
        return self.write(target, name, arguments)

    def compact_soon_if_due(self) -> None:
        """Past the journal's bound, compact once the current write has returned."""
        if self._compaction_scheduled or not self.file.wants_compaction:
            return
        self._compaction_scheduled = True
        try:
            asyncio.get_running_loop().call_soon(self.compact)
        except RuntimeError:  # no event loop: a script using the store directly
            self.compact()

    def compact(self) -> bool:
        """Write the whole database as a fresh snapshot and empty the journal."""
        with self.file.lock:
            self._compaction_scheduled = False
            if self.file.closed:  # scheduled before the store closed (and compacted)
                return False
            return self.file.replace_snapshot(snapshot.dump(self.database))

    def close(self) -> None:
        """Compact (a clean stop starts quickly next time) and close the file."""
        with self.file.lock:
            self.detach()
            if self.compact():
                log.info("embedded database saved to %s", self.file.path)
            self.file.close()


def _decide(target: Any, name: str, arguments: dict[str, Any]) -> None:
    """Make the choices the write would make on its own, so that replay makes the same."""
    if name == "insert_one":
        _give_id(arguments["document"])
    elif name == "insert_many":
        arguments["documents"] = list(arguments["documents"])
        for document in arguments["documents"]:
            _give_id(document)
    elif name in _UPSERTING and arguments.get("upsert"):
        _pin_upsert(target, arguments)
    elif name == "drop_collection":
        named = arguments["name_or_collection"]
        arguments["name_or_collection"] = getattr(named, "name", named)


def _give_id(document: Any) -> None:
    if isinstance(document, MutableMapping) and "_id" not in document:
        document["_id"] = ObjectId()


def _pin_upsert(collection: Any, arguments: dict[str, Any]) -> None:
    query = arguments["filter"]
    found = collection.find_one(query, projection={"_id": True}, sort=arguments.get("sort"))
    if found is not None:
        arguments["upsert"] = False  # it updates what it found; no document is created
        return
    if not isinstance(query, Mapping) or "_id" in query:
        return
    replacement = arguments.get("replacement")
    given = replacement.get("_id") if isinstance(replacement, Mapping) else None
    # Nothing matches the filter, so nothing matches it with an _id added either.
    arguments["filter"] = {**query, "_id": given if given is not None else ObjectId()}


def open_store(
    database: Any, settings: Settings, *, read_only: bool = False
) -> MongoJournal | None:
    """Load the snapshot, replay the journal over it and journal every write from now on.

    ``read_only`` (a report next to a running server) loads the same state and leaves the
    data dir untouched: nothing is journaled, migrated or compacted (and None is returned).
    """
    install()
    if read_only:
        _load_read_only(database, settings)
        return None
    file = open_file(settings, STORE_FILE)
    path = file.path
    contents = file.read()
    documents = snapshot.load(database, contents.snapshot)
    snapshot.replay(database, contents.journal)
    journal = MongoJournal(file, database)
    old_snapshot = settings.data_dir / legacy.MONGO_JSON
    if contents.initialised:
        legacy.warn_if_left_over(old_snapshot, path)
    else:
        migrated = legacy.read_mongo(old_snapshot)
        for name, old_documents in (migrated or {}).items():
            if old_documents:
                database.get_collection(name).insert_many(old_documents)
        if not journal.compact():
            file.close()
            raise RuntimeError(f"the embedded store cannot write {path}; see the error above")
        if migrated is not None:
            legacy.retire(old_snapshot, path)
    journal.attach()
    # The indexes are kept as they were, as on a server: photoshare.indexes builds the
    # missing ones at start, and `photoshare check-indexes --apply` changes the others.
    log.info(
        "embedded database loaded from %s: %d documents, %d journal entries replayed",
        path,
        documents,
        len(contents.journal),
    )
    if file.wants_compaction:
        journal.compact()
    return journal


def _load_read_only(database: Any, settings: Settings) -> None:
    path = settings.data_dir / STORE_FILE
    if not path.exists():
        # A data dir of an earlier version, not yet migrated (or none at all).
        old = legacy.read_mongo(settings.data_dir / legacy.MONGO_JSON) or {}
        for name, old_documents in old.items():
            if old_documents:
                database.get_collection(name).insert_many(old_documents)
        return
    file = open_file(settings, STORE_FILE, read_only=True)
    try:
        contents = file.read()
    finally:
        file.close()
    snapshot.load(database, contents.snapshot)
    snapshot.replay(database, contents.journal)
