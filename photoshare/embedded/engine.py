"""Installs the embedded engine into mongomock's collections and cursors.

What changes, and why it answers exactly as mongomock did:

- ``Collection._iter_documents``, the scan under every find, count, update, delete
  and unique-index check, starts from the candidates of ``planner.plan`` (documents
  by ``_id``, or from the field indexes), in the collection's natural order, and
  tests them with mongomock's ``filter_applies`` unless the plan is exact.
- ``Collection._get_dataset`` sorts as mongomock does but copies (projects) a
  document only when it is read, and ``Cursor._compute_results`` reads only the
  cursor's page when it has a skip or a limit; the cursor keeps how many documents
  matched, so a page and its total come from one evaluation of the filter.
- ``Collection._update`` snapshots only what the update can change (``updates``), and
  ``Collection._delete`` finds what to delete without copying it.
- ``Collection.aggregate`` sums a single group of ``$sum``s over the stored documents
  (``totals``) rather than over a copy of the collection.
- New collections keep their documents in an ``IndexedCollectionStore``.
- ``Collection._ensure_uniques`` raises a DuplicateKeyError whose ``details`` name the
  index, its ``keyPattern`` and ``keyValue``, as a MongoDB server's does (``uniques``).

``install`` must run before the first client is built (``db.connect`` calls it), and
before anything else wraps these methods (the tests' query recorder installs it first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import mongomock.collection
import mongomock.command_cursor
import mongomock.store
from mongomock import filtering, helpers

from photoshare.embedded import uniques, updates
from photoshare.embedded.copying import project
from photoshare.embedded.planner import plan
from photoshare.embedded.sorting import sort_documents
from photoshare.embedded.store import IndexedCollectionStore
from photoshare.embedded.totals import totals_of

# mongomock's classes and functions (untyped there), and the methods replaced here.
_Collection: Any = mongomock.collection.Collection
_Cursor: Any = mongomock.collection.Cursor
_MONGOMOCK_ITER_DOCUMENTS: Callable[[Any, Any], Iterator[dict[str, Any]]] = (
    _Collection._iter_documents
)
_MONGOMOCK_AGGREGATE: Callable[..., Any] = _Collection.aggregate
_MONGOMOCK_DELETE: Callable[..., Any] = _Collection._delete
_CommandCursor: Any = mongomock.command_cursor.CommandCursor
_mongomock_copy_field: Callable[[Any, Any], Any] = mongomock.collection._copy_field
filter_applies: Callable[[Any, Any], bool] = filtering.filter_applies
with_utc: Callable[[Any], Any] = helpers.make_datetime_timezone_aware_in_document


def _iter_documents(self: Any, filter: Any) -> Iterator[dict[str, Any]]:
    store = self._store
    if not isinstance(store, IndexedCollectionStore):
        return _MONGOMOCK_ITER_DOCUMENTS(self, filter)
    found = plan(store, filter)
    if found.ranks is None:
        return _MONGOMOCK_ITER_DOCUMENTS(self, filter)
    documents = store.in_natural_order(found.ranks)
    if found.exact:
        return iter(documents)
    if not documents:
        # mongomock validates the filter against an empty document when nothing is there.
        filter_applies(filter, {})
    return (document for document in documents if filter_applies(filter, document))


class Dataset:
    """What a cursor reads: the matching documents, sorted; each copied when read."""

    def __init__(self, collection: Any, spec: Any, sort: Any, fields: Any, as_class: Any):
        self._collection = collection
        self._spec = spec
        self._sort = sort
        self._fields = fields
        self._as_class = as_class
        self._matches: list[dict[str, Any]] | None = None

    def matches(self) -> list[dict[str, Any]]:
        """The matching documents, in natural order."""
        if self._matches is None:
            self._matches = list(self._collection._iter_documents(self._spec))
        return self._matches

    def _copy(self, document: dict[str, Any], utc: bool = False) -> Any:
        """The copy mongomock hands out (with ``utc``: as a tz_aware cursor does)."""
        if self._as_class is dict:
            copied = project(document, self._fields, utc, _copy_as_dict)
            if copied is not None:
                return copied
        copied = self._collection._copy_only_fields(document, self._fields, self._as_class)
        return with_utc(copied) if utc else copied

    def _sorted(self) -> list[dict[str, Any]]:
        store = self._collection._store
        if isinstance(store, IndexedCollectionStore):
            return sort_documents(self.matches(), self._sort, store.sort_keys)
        return sort_documents(self.matches(), self._sort)

    def __iter__(self) -> Iterator[Any]:
        return (self._copy(document) for document in self._sorted())

    def window(self, skip: int, limit: int | None, utc: bool) -> list[Any]:
        """Copies of the documents a skip and a limit leave (mongomock's slicing)."""
        documents = self._sorted()[skip:]
        if limit:
            documents = documents[: abs(limit)]
        return [self._copy(document, utc) for document in documents]


def _copy_as_dict(value: Any) -> Any:
    return _mongomock_copy_field(value, dict)


def _get_dataset(self: Any, spec: Any, sort: Any, fields: Any, as_class: Any) -> Dataset:
    return Dataset(self, spec, sort, fields, as_class)


def _compute_results(self: Any, with_limit_and_skip: bool = False) -> Any:
    """mongomock's, reading only the page when the cursor has a skip or a limit."""
    utc = bool(self.collection.codec_options.tz_aware)
    if not self._results or self._factory_last_generated_results != self._factory:
        if with_limit_and_skip and (self._skip or self._limit):
            return _page(self, utc)
        dataset = self._factory()
        if isinstance(dataset, Dataset):
            results = dataset.window(0, None, utc)
        else:
            results = [with_utc(document) for document in dataset] if utc else list(dataset)
        self._factory_last_generated_results = self._factory
        self._results = results
    results = self._results
    if with_limit_and_skip:
        results = results[self._skip :]
        if self._limit:
            results = results[: abs(self._limit)]
    return results


def _page(cursor: Any, utc: bool) -> list[Any]:
    """The cursor's page, copied; how many documents matched is kept on the cursor."""
    window = (cursor._factory, cursor._skip, cursor._limit)
    if cursor.__dict__.get("_photoshare_window") != window:
        dataset = cursor._factory()
        if isinstance(dataset, Dataset):
            page = dataset.window(cursor._skip, cursor._limit, utc)
            matched = len(dataset.matches())
        else:
            every = [with_utc(document) for document in dataset] if utc else list(dataset)
            page = every[cursor._skip :]
            if cursor._limit:
                page = page[: abs(cursor._limit)]
            matched = len(every)
        cursor._photoshare_page = page
        cursor._photoshare_matched = matched
        cursor._photoshare_window = window
    return cursor._photoshare_page  # type: ignore[no-any-return]


def _aggregate(self: Any, pipeline: Any, session: Any = None, **options: Any) -> Any:
    totals = None if session else totals_of(pipeline)
    if totals is None:
        return _MONGOMOCK_AGGREGATE(self, pipeline, session, **options)
    documents = list(self._iter_documents(totals.match))
    return _CommandCursor([totals.compute(documents)])


def _delete(
    self: Any,
    filter: Any,
    collation: Any = None,
    hint: Any = None,
    multi: bool = False,
    session: Any = None,
) -> dict[str, Any]:
    """mongomock's delete, which finds what to delete without copying it first."""
    if hint or collation or session:
        return _MONGOMOCK_DELETE(self, filter, collation, hint, multi, session)  # type: ignore[no-any-return]
    filter = updates.datetimes_as_stored(filter)
    if filter is None:
        filter = {}
    if not isinstance(filter, Mapping):
        filter = {"_id": filter}
    keys = [updates.store_key(document["_id"]) for document in self._iter_documents(filter)]
    deleted = 0
    for key in keys:
        del self._store[key]
        deleted += 1
        if not multi:
            break
    return {"connectionId": self.database.client._id, "n": deleted, "ok": 1.0, "err": None}


def answers_totals(pipeline: list[dict[str, Any]]) -> bool:
    """Whether the engine sums this pipeline's matches without copying them."""
    return totals_of(pipeline) is not None


def matched(cursor: Any) -> int:
    """How many documents a (read) embedded cursor's filter matched, before skip and limit."""
    counted = getattr(cursor, "_photoshare_matched", None)
    if counted is None:
        return len(cursor._compute_results())
    return int(counted)


# What the engine replaces, and mongomock's own, kept for ``mongomock_as_shipped``.
_REPLACEMENTS: list[tuple[Any, str, Any]] = [
    (mongomock.store, "CollectionStore", IndexedCollectionStore),
    (_Collection, "_iter_documents", _iter_documents),
    (_Collection, "_get_dataset", _get_dataset),
    (_Collection, "_update", updates.update),
    (_Collection, "_delete", _delete),
    (_Collection, "aggregate", _aggregate),
    (_Cursor, "_compute_results", _compute_results),
    (_Collection, "_ensure_uniques", uniques.ensure_uniques),
]
_SHIPPED = {(owner, name): vars(owner)[name] for owner, name, _ in _REPLACEMENTS}


def install() -> None:
    """Patch mongomock (once per process); only embedded mode uses mongomock."""
    if getattr(mongomock.collection, "_photoshare_engine", False):
        return
    mongomock.collection._photoshare_engine = True  # type: ignore[attr-defined]
    for owner, name, replacement in _REPLACEMENTS:
        setattr(owner, name, replacement)


@contextmanager
def mongomock_as_shipped() -> Iterator[None]:
    """mongomock without the engine while it lasts: what the engine must answer like
    (its tests compare the two). Clients built inside keep plain stores."""
    current = {(owner, name): vars(owner)[name] for owner, name, _ in _REPLACEMENTS}
    for (owner, name), shipped in _SHIPPED.items():
        setattr(owner, name, shipped)
    try:
        yield
    finally:
        for (owner, name), method in current.items():
            setattr(owner, name, method)
