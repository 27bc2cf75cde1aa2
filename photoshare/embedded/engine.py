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
- ``Collection._update`` snapshots only what the update can change (``updates``).
- ``Collection.aggregate`` sums a single group of ``$sum``s over the stored documents
  (``totals``) rather than over a copy of the collection.
- New collections keep their documents in an ``IndexedCollectionStore``.

``install`` must run before the first client is built (``db.connect`` calls it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import mongomock.collection
import mongomock.command_cursor
import mongomock.store
from mongomock import filtering, helpers

from photoshare.embedded import updates
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
_MONGOMOCK_COMPUTE_RESULTS: Callable[[Any, bool], Any] = _Cursor._compute_results
_MONGOMOCK_AGGREGATE: Callable[..., Any] = _Collection.aggregate
_CommandCursor: Any = mongomock.command_cursor.CommandCursor
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

    def _copy(self, document: dict[str, Any]) -> Any:
        return self._collection._copy_only_fields(document, self._fields, self._as_class)

    def __iter__(self) -> Iterator[Any]:
        documents = sort_documents(self.matches(), self._sort)
        return (self._copy(document) for document in documents)

    def window(self, skip: int, limit: int | None) -> list[Any]:
        """Copies of the documents a skip and a limit leave (mongomock's slicing)."""
        documents = sort_documents(self.matches(), self._sort)[skip:]
        if limit:
            documents = documents[: abs(limit)]
        return [self._copy(document) for document in documents]


def _get_dataset(self: Any, spec: Any, sort: Any, fields: Any, as_class: Any) -> Dataset:
    return Dataset(self, spec, sort, fields, as_class)


def _compute_results(self: Any, with_limit_and_skip: bool = False) -> Any:
    computed = self._results and self._factory_last_generated_results == self._factory
    if computed or not with_limit_and_skip or not (self._skip or self._limit):
        return _MONGOMOCK_COMPUTE_RESULTS(self, with_limit_and_skip)
    window = (self._factory, self._skip, self._limit)
    if self.__dict__.get("_photoshare_window") != window:
        dataset = self._factory()
        if not isinstance(dataset, Dataset):
            return _MONGOMOCK_COMPUTE_RESULTS(self, with_limit_and_skip)
        page = dataset.window(self._skip, self._limit)
        if self.collection.codec_options.tz_aware:
            page = [with_utc(document) for document in page]
        self._photoshare_page = page
        self._photoshare_matched = len(dataset.matches())
        self._photoshare_window = window
    return self._photoshare_page


def _aggregate(self: Any, pipeline: Any, session: Any = None, **options: Any) -> Any:
    totals = None if session else totals_of(pipeline)
    if totals is None:
        return _MONGOMOCK_AGGREGATE(self, pipeline, session, **options)
    documents = list(self._iter_documents(totals.match))
    return _CommandCursor([totals.compute(documents)])


def answers_totals(pipeline: list[dict[str, Any]]) -> bool:
    """Whether the engine sums this pipeline's matches without copying them."""
    return totals_of(pipeline) is not None


def matched(cursor: Any) -> int:
    """How many documents a (read) embedded cursor's filter matched, before skip and limit."""
    counted = getattr(cursor, "_photoshare_matched", None)
    if counted is None:
        return len(cursor._compute_results())
    return int(counted)


def install() -> None:
    """Patch mongomock (once per process); only embedded mode uses mongomock."""
    if getattr(mongomock.collection, "_photoshare_engine", False):
        return
    mongomock.collection._photoshare_engine = True  # type: ignore[attr-defined]
    # DatabaseStore builds each collection's store through this module-level name.
    mongomock.store.CollectionStore = IndexedCollectionStore  # type: ignore[misc]
    _Collection._iter_documents = _iter_documents
    _Collection._get_dataset = _get_dataset
    _Collection._update = updates.update
    _Collection.aggregate = _aggregate
    _Cursor._compute_results = _compute_results
