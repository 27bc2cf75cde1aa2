"""mongomock's sort order, reached with plain Python keys when the values allow it.

mongomock sorts by each key in turn (the last first, each sort stable) and compares
values through ``BsonComparable``, a Python-level comparison per pair. When every
value of every key has a type that compares within its BSON type bracket as Python
values do (null, booleans, numbers, strings, ObjectIds, dates), the key becomes a
tuple ``(array rank, BSON type rank, value)`` that orders documents the same way; and
when all keys share one direction, one sort by all the keys is the same as mongomock's
sorts in turn.
"""

from __future__ import annotations

import numbers
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bson import ObjectId
from mongomock import filtering
from sentinels import NOTHING

Document = dict[str, Any]
resolve_sort_key: Callable[[str, Any], Any] = filtering.resolve_sort_key
resolve_key: Callable[[str, Any], Any] = filtering.resolve_key

_RANKS: dict[type, int | None] = {
    type(None): 5,
    bool: 40,
    int: 10,
    float: 10,
    str: 15,
    ObjectId: 35,
    datetime: 45,
}


def bson_rank(value: Any) -> int | None:
    """mongomock's ``_get_compare_type`` of a value that compares like a Python value
    within its type; None for the others (documents, arrays, binary, regexes...)."""
    kind = type(value)
    try:
        return _RANKS[kind]
    except KeyError:
        # The rank follows from the type alone: work it out once per type.
        rank = _RANKS[kind] = _rank_of_type(kind)
        return rank


def _rank_of_type(kind: type) -> int | None:
    """mongomock's tests, in its order, for a type not seen yet (subclasses, others)."""
    if issubclass(kind, bool):
        return 40
    if issubclass(kind, numbers.Number):
        return 10 if issubclass(kind, int | float) else None
    if issubclass(kind, str):
        return 15
    if issubclass(kind, dict | list | tuple | uuid.UUID | bytes):
        return None
    if issubclass(kind, ObjectId):
        return 35
    if issubclass(kind, datetime):
        return 45
    return None


def plain_sort_key(key: str, document: Document) -> tuple[int, int, Any] | None:
    """``resolve_sort_key`` as plain values that sort the same; None if it cannot be."""
    value = document.get(key, NOTHING) if "." not in key else resolve_key(key, document)
    outer = 1
    if value is NOTHING:
        value = None
    elif isinstance(value, list | tuple):
        # An array sorts by its first element, an empty one before any value.
        outer, value = (1, value[0]) if value else (0, None)
    rank = bson_rank(value)
    if rank is None or (rank == 10 and value != value):  # NaN is not ordered
        return None
    if rank == 35:
        return outer, rank, value.binary  # how ObjectIds order, compared in C
    return outer, rank, 0 if value is None else value


def _validated(sort: Any) -> list[tuple[str, int]]:
    specs = list(sort.items() if isinstance(sort, dict) else sort or [])
    for key, _ in specs:
        if key != "$natural" and key.startswith("$"):
            raise NotImplementedError(f"Sorting by {key} is not implemented in mongomock yet")
    return specs


SortKeys = Callable[[str, list[Document]], list[Any]]


def plain_keys(key: str, documents: list[Document]) -> list[Any]:
    """``plain_sort_key`` of ``key`` for each document (computed now)."""
    return [plain_sort_key(key, document) for document in documents]


def _in_turn(
    documents: list[Document], specs: list[tuple[str, int]], keys_of: SortKeys
) -> list[Document]:
    """mongomock's way: a stable sort by each key, the last key first."""
    for key, direction in reversed(specs):
        if key == "$natural":
            if direction < 0:
                documents.reverse()
            continue
        plain = keys_of(key, documents)
        if None in plain:
            documents.sort(key=_mongomock_key(key), reverse=direction < 0)
        else:
            documents = _ordered(documents, plain, direction < 0)
    return documents


def _mongomock_key(key: str) -> Callable[[Document], Any]:
    return lambda document: resolve_sort_key(key, document)


def _ordered(documents: list[Document], keys: list[Any], descending: bool) -> list[Document]:
    """A stable sort of ``documents`` by ``keys`` (one per document, in the same order)."""
    order = sorted(range(len(documents)), key=keys.__getitem__, reverse=descending)
    return [documents[position] for position in order]


def sort_documents(
    documents: list[Document], sort: Any, keys_of: SortKeys = plain_keys
) -> list[Document]:
    """``documents`` in mongomock's order for ``sort``; ``keys_of(path, documents)`` gives
    their ``plain_sort_key``s for that path (a store may have them ready)."""
    specs = _validated(sort)
    documents = list(documents)
    directions = {direction < 0 for _, direction in specs}
    if not specs or len(directions) > 1 or any(key == "$natural" for key, _ in specs):
        return _in_turn(documents, specs, keys_of)
    columns = [keys_of(key, documents) for key, _ in specs]
    if any(None in column for column in columns):
        return _in_turn(documents, specs, keys_of)
    # Sorting all of them beats picking the first few: documents mostly come in
    # (or against) the order of their dates, which Python's sort takes in one pass.
    return _ordered(documents, list(zip(*columns, strict=True)), directions.pop())
