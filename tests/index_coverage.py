"""Records every query the service sends to the embedded store and checks it is indexed.

The recorder wraps mongomock's collection methods, so it sees exactly what the
services issue (through Beanie or directly). A query is covered when some declared
index starts with its equality fields (in any order) followed by its sort fields (all
in the index's direction or all reversed); an equality on ``_id`` is always covered.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import mongomock.collection

from photoshare.db import document_models
from photoshare.embedded import engine

EQUALITY_OPERATORS = {"$eq", "$in", "$all", "$elemMatch"}


@dataclass(frozen=True)
class QueryShape:
    collection: str
    equality: frozenset[str]
    ranges: frozenset[str]
    sort: tuple[tuple[str, int], ...]
    kind: str

    def describe(self) -> str:
        return (
            f"{self.kind} on {self.collection}: equality {sorted(self.equality)}, "
            f"ranges {sorted(self.ranges)}, sort {list(self.sort)}"
        )


def _conditions(spec: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Field conditions, with Beanie's ``$and`` of several conditions flattened."""
    for field, condition in spec.items():
        if field == "$and" and isinstance(condition, list):
            for part in condition:
                yield from _conditions(part)
        else:
            yield field, condition


def shape_of(collection: str, spec: Any, sort: Any, kind: str) -> QueryShape:
    equality: set[str] = set()
    ranges: set[str] = set()
    for field, condition in _conditions(spec or {}):
        if field.startswith("$"):
            ranges.add(field)  # $or/$expr/$where: not used by the service; flagged below
        elif isinstance(condition, dict) and any(k.startswith("$") for k in condition):
            if set(condition) & EQUALITY_OPERATORS:
                equality.add(field)
            else:
                ranges.add(field)
        else:
            equality.add(field)
    order = tuple((str(field), int(direction)) for field, direction in (sort or []))
    return QueryShape(collection, frozenset(equality), frozenset(ranges), order, kind)


def declared_indexes() -> dict[str, list[list[tuple[str, int]]]]:
    indexes: dict[str, list[list[tuple[str, int]]]] = {}
    for model in document_models():
        declared = model.Settings  # type: ignore[attr-defined]
        keys = [list(index.document["key"].items()) for index in getattr(declared, "indexes", [])]
        indexes[declared.name] = [[("_id", 1)], *keys]
    return indexes


def covered(shape: QueryShape, indexes: dict[str, list[list[tuple[str, int]]]]) -> bool:
    if "_id" in shape.equality:
        return True
    if any(field.startswith("$") for field in shape.ranges):
        return False
    if not shape.sort and shape.equality:
        # A lookup or an update: an index led by its equality fields finds the documents
        # (the unique jti index serves {jti, used_at, revoked}).
        return any(keys[0][0] in shape.equality for keys in indexes.get(shape.collection, []))
    for keys in indexes.get(shape.collection, []):
        fields = [field for field, _ in keys]
        n_eq, n_sort = len(shape.equality), len(shape.sort)
        if set(fields[:n_eq]) != shape.equality or len(fields) < n_eq + n_sort:
            continue
        index_sort = keys[n_eq : n_eq + n_sort]
        if [f for f, _ in index_sort] != [f for f, _ in shape.sort]:
            continue
        same = all(d == sd for (_, d), (_, sd) in zip(index_sort, shape.sort, strict=True))
        reversed_ = all(d == -sd for (_, d), (_, sd) in zip(index_sort, shape.sort, strict=True))
        if not (same or reversed_):
            continue
        # With only ranges, the index must lead with one of them.
        if not shape.equality and not shape.sort and fields[0] not in shape.ranges:
            continue
        return True
    return False


class QueryRecorder:
    def __init__(self) -> None:
        self.shapes: dict[QueryShape, int] = {}
        self._inside = threading.local()

    def record(self, collection: Any, spec: Any, sort: Any, kind: str) -> None:
        if getattr(self._inside, "depth", 0):
            return
        if not spec and not sort and kind in ("find", "count"):
            # An unfiltered read is the embedded store's snapshot dump, or a count of a
            # whole collection (the tests' own checks; the service asks for an estimate).
            return
        shape = shape_of(collection.name, spec, sort, kind)
        self.shapes[shape] = self.shapes.get(shape, 0) + 1

    @contextmanager
    def quiet(self) -> Iterator[None]:
        self._inside.depth = getattr(self._inside, "depth", 0) + 1
        try:
            yield
        finally:
            self._inside.depth -= 1

    def uncovered(self) -> list[QueryShape]:
        indexes = declared_indexes()
        return [shape for shape in self.shapes if not covered(shape, indexes)]


RECORDER = QueryRecorder()


def _wrap(owner: type, name: str, extract: Callable[..., tuple[Any, Any, Any, str]]) -> None:
    original = getattr(owner, name)

    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        collection, spec, sort, kind = extract(self, *args, **kwargs)
        RECORDER.record(collection, spec, sort, kind)
        with RECORDER.quiet():
            return original(self, *args, **kwargs)

    setattr(owner, name, wrapper)


def install() -> None:
    """Start recording (once per test session)."""
    if getattr(mongomock.collection, "_photoshare_recording", False):
        return
    mongomock.collection._photoshare_recording = True  # type: ignore[attr-defined]
    # The embedded engine replaces some of these methods: install it first, so the
    # recorder wraps what the service really runs.
    engine.install()
    cursor, coll = mongomock.collection.Cursor, mongomock.collection.Collection

    def first_match(pipeline: list[dict[str, Any]]) -> Any:
        return pipeline[0].get("$match") if pipeline else None

    _wrap(cursor, "_compute_results", lambda c, *a, **k: (c.collection, c._spec, c._sort, "find"))
    _wrap(coll, "_update", lambda c, spec, *a, **k: (c, spec, None, "update"))
    _wrap(coll, "_delete", lambda c, spec, *a, **k: (c, spec, None, "delete"))
    _wrap(coll, "count_documents", lambda c, spec, **k: (c, spec, None, "count"))
    _wrap(coll, "distinct", lambda c, key, spec=None, **k: (c, spec, None, "distinct"))
    _wrap(
        coll,
        "aggregate",
        lambda c, pipeline, *a, **k: (c, first_match(pipeline), None, "aggregate"),
    )
    _wrap(
        coll,
        "_find_and_modify",
        lambda c, query, *a, sort=None, **k: (c, query, sort, "find_and_modify"),
    )
