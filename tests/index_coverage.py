"""Records every query the service sends to the database and checks it is indexed.

On the embedded store the recorder wraps mongomock's collection methods; on a real
server (``PHOTOSHARE_TEST_MONGODB_URL``) it listens to the driver's commands. Either
way it sees exactly what the services issue (through Beanie or directly), and keeps
one example of each shape (collection, filter, sort) so that tests/test_real_mongodb.py
can replay it with ``explain``. When the run is split over several pytest processes
(``python3 dev.py test``: xdist workers, then a last plain pass), each process saves
what it recorded (``save``) and the last pass merges every record (``merge``) before its
own tests, so the check at the end, and the replay, cover the whole run. A query is covered when some declared index starts
with its equality fields (in any order) followed by its sort fields (all in the
index's direction or all reversed); an equality on ``_id`` is always covered.
"""

from __future__ import annotations

import copy
import os
import pickle
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mongomock.collection
from pymongo import monitoring

from photoshare.app import document_models
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


@dataclass(frozen=True)
class RecordedQuery:
    """One query as the service sent it, to replay against a real server."""

    collection: str
    filter: dict[str, Any]
    sort: tuple[tuple[str, int], ...]


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
        self.examples: dict[QueryShape, RecordedQuery] = {}
        self._inside = threading.local()

    def record(self, collection: str, spec: Any, sort: Any, kind: str) -> None:
        if getattr(self._inside, "depth", 0):
            return
        if not spec and not sort and kind in ("find", "count"):
            # An unfiltered read is the embedded store's snapshot dump, or a count of a
            # whole collection (the tests' own checks; the service asks for an estimate).
            return
        shape = shape_of(collection, spec, sort, kind)
        if shape not in self.examples:
            self.examples[shape] = RecordedQuery(
                collection, copy.deepcopy(dict(spec or {})), shape.sort
            )
        self.shapes[shape] = self.shapes.get(shape, 0) + 1

    @contextmanager
    def quiet(self) -> Iterator[None]:
        self._inside.depth = getattr(self._inside, "depth", 0) + 1
        try:
            yield
        finally:
            self._inside.depth -= 1

    def save(self, directory: Path) -> None:
        """Write what this process recorded, for the pass that checks the whole run."""
        if not self.shapes:
            return
        records = (self.shapes, self.examples)
        (directory / f"queries-{os.getpid()}.pickle").write_bytes(pickle.dumps(records))

    def merge(self, directory: Path) -> int:
        """Add the records other processes saved in ``directory``; return how many were read."""
        files = sorted(directory.glob("queries-*.pickle"))
        for file in files:
            # Written by this run's own pytest processes (save above), never by anyone else.
            shapes, examples = pickle.loads(file.read_bytes())  # noqa: S301
            for shape, times in shapes.items():
                self.shapes[shape] = self.shapes.get(shape, 0) + times
            for shape, example in examples.items():
                self.examples.setdefault(shape, example)
        return len(files)

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

    _wrap(
        cursor,
        "_compute_results",
        lambda c, *a, **k: (c.collection.name, c._spec, c._sort, "find"),
    )
    _wrap(coll, "_update", lambda c, spec, *a, **k: (c.name, spec, None, "update"))
    _wrap(coll, "_delete", lambda c, spec, *a, **k: (c.name, spec, None, "delete"))
    _wrap(coll, "count_documents", lambda c, spec, **k: (c.name, spec, None, "count"))
    _wrap(
        coll,
        "distinct",
        lambda c, key, spec=None, *a, filter=None, **k: (
            c.name,
            spec if spec is not None else filter,
            None,
            "distinct",
        ),
    )
    _wrap(
        coll,
        "aggregate",
        lambda c, pipeline, *a, **k: (c.name, first_match(pipeline), None, "aggregate"),
    )
    _wrap(
        coll,
        "_find_and_modify",
        lambda c, query, *a, sort=None, **k: (c.name, query, sort, "find_and_modify"),
    )


def _is_count(pipeline: list[Mapping[str, Any]]) -> bool:
    """pymongo's ``count_documents``: a ``$match`` then a ``$group`` summing 1."""
    return len(pipeline) >= 2 and "$group" in pipeline[-1] and "$match" in pipeline[0]


def queries_of(name: str, command: Mapping[str, Any]) -> list[tuple[str, Any, Any, str]]:
    """The (collection, filter, sort, kind) of each query in a driver command."""
    target = command.get(name)
    if not isinstance(target, str):
        return []  # database-level commands (ping, listCollections, ...)
    if name == "find":
        return [(target, command.get("filter"), _sort_items(command.get("sort")), "find")]
    if name == "findAndModify":
        sort = _sort_items(command.get("sort"))
        return [(target, command.get("query"), sort, "find_and_modify")]
    if name in ("count", "distinct"):
        return [(target, command.get("query"), None, name)]
    if name == "aggregate":
        pipeline = list(command.get("pipeline") or [])
        match = pipeline[0].get("$match") if pipeline else None
        return [(target, match, None, "count" if _is_count(pipeline) else "aggregate")]
    if name == "update":
        return [(target, u.get("q"), None, "update") for u in command.get("updates", [])]
    if name == "delete":
        return [(target, d.get("q"), None, "delete") for d in command.get("deletes", [])]
    return []


def _sort_items(sort: Any) -> list[tuple[str, int]] | None:
    return [(str(k), int(v)) for k, v in sort.items()] if sort else None


class CommandRecorder(monitoring.CommandListener):
    """Records the queries the driver sends to the databases whose names start with a prefix."""

    def __init__(self, database_prefix: str) -> None:
        self.database_prefix = database_prefix

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if not event.database_name.startswith(self.database_prefix):
            return
        for collection, spec, sort, kind in queries_of(event.command_name, event.command):
            RECORDER.record(collection, spec, sort, kind)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def listen_to_server(database_prefix: str) -> None:
    """Record the queries sent to a real server by every client created from now on."""
    monitoring.register(CommandRecorder(database_prefix))
