"""The embedded engine answers exactly what mongomock answers, only without scanning.

Each property runs the same operations on two mongomock clients: one with the engine
(in-memory indexes, paging, cheap update snapshots) and one with mongomock as it ships
(``engine.mongomock_as_shipped``), over random documents, filters, sorts, projections
and updates, and compares everything a caller can see: documents (with their key
order), counts, results of writes, errors, and what later queries find.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any

import mongomock
from bson import ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from photoshare.embedded import engine
from tests.index_coverage import RECORDER

IDS = [ObjectId(f"{n:024x}") for n in range(1, 5)]
WORDS = ["sea", "sky", "Sea", str(IDS[0])]  # the last reads as an ObjectId
DATES = [datetime(2024, 1, day, 12) for day in (1, 2, 3)]
INDEXED = ["owner", "tags", "name", "nested.uid", "created"]

atoms = st.sampled_from(IDS) | st.sampled_from(WORDS)
values = atoms | st.integers(-2, 2) | st.none() | st.booleans() | st.sampled_from(DATES)
numbers = (
    st.integers(-3, 3) | st.floats(-2, 2, allow_nan=False, width=16) | st.none() | st.booleans()
)
nested = st.fixed_dictionaries({}, optional={"uid": values, "text": st.sampled_from(WORDS)})
documents = st.fixed_dictionaries(
    {"tags": st.lists(atoms, max_size=3)},
    optional={
        "owner": values | st.lists(atoms, max_size=2),
        "n": numbers,
        "name": st.sampled_from(WORDS),
        "created": st.sampled_from(DATES),
        "nested": st.lists(nested, max_size=3),
    },
)
# Stored under ids of several types: the natural order and sorts by _id mix them.
id_pool = [*IDS, 7, 8, "x", "y"]
id_values = st.sampled_from([*id_pool, "absent", ObjectId()])

conditions = st.one_of(
    st.tuples(
        st.just("_id"),
        id_values
        | st.builds(lambda ids: {"$in": ids}, st.lists(id_values, max_size=3))
        | st.builds(lambda value: {"$eq": value}, id_values),
    ),
    st.tuples(
        st.sampled_from(["owner", "tags", "name", "nested.uid", "missing"]),
        atoms
        | st.builds(lambda xs: {"$in": xs}, st.lists(atoms, max_size=3))
        | st.builds(lambda xs: {"$all": xs}, st.lists(atoms, max_size=2)),
    ),
    st.tuples(st.just("n"), st.builds(lambda n: {"$gte": n}, st.integers(-2, 2))),
    st.tuples(st.just("nested"), st.builds(lambda uid: {"$elemMatch": {"uid": uid}}, atoms)),
)
dated = st.tuples(st.just("created"), st.builds(lambda day: {"$lte": day}, st.sampled_from(DATES)))
# Totals leave filters with dates to mongomock (it compares them differently in $match).
undated_filters = st.lists(conditions, max_size=3).map(dict)
plain_filters = st.lists(conditions | dated, max_size=3).map(dict)
filters = plain_filters | st.builds(
    lambda parts: {"$and": parts}, st.lists(plain_filters, min_size=1, max_size=2)
)
projections = st.sampled_from(
    [
        None,
        {},
        {"nested": 0},
        {"nested": 0, "tags": 0},
        {"tags": 1, "n": 1},
        {"_id": 0, "name": 1},
        {"_id": 0},
        {"_id": 1},
        {"name": True, "_id": False},
        {"nested": {"$slice": 1}, "n": 1},
        {"nested.uid": 1},
    ]
)
sorts = st.sampled_from(
    [
        None,
        [("created", -1), ("_id", -1)],
        [("created", 1), ("_id", 1)],
        [("n", -1), ("created", -1), ("_id", -1)],
        [("n", 1)],
        [("tags", 1), ("_id", -1)],
        [("owner", 1), ("name", -1)],
        [("nested.uid", 1)],
        [("_id", -1)],
    ]
)


def shape(value: Any) -> Any:
    """A value as a caller sees it, dict key order included."""
    if isinstance(value, dict):
        return [(key, shape(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [shape(item) for item in value]
    return (type(value).__name__, value, getattr(value, "tzinfo", None))


def fresh(*arguments: Any) -> Any:
    """Copies of an operation's arguments: mongomock changes some (a projection loses its
    operators when it raises), and each side must get what the example drew."""
    return copy.deepcopy(arguments)


def outcome(action: Callable[[], Any]) -> Any:
    """What an operation answered, or the error it raised."""
    try:
        return ("ok", shape(action()))
    except DuplicateKeyError as exc:
        # The engine's message and details name the index, as a server's do (uniques.py).
        return ("error", "DuplicateKeyError", exc.code)
    except Exception as exc:
        return ("error", type(exc).__name__, str(exc))


class Pair:
    """The same collection with the engine and with mongomock as it ships."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.engine = self._collection(docs)
        with engine.mongomock_as_shipped():
            self.shipped = self._collection(docs)

    @staticmethod
    def _collection(docs: list[dict[str, Any]]) -> Any:
        collection = mongomock.MongoClient(tz_aware=True).db.things
        for path in INDEXED:
            collection.create_index(path)
        collection.create_index("key", unique=True)
        if docs:
            collection.insert_many(copy.deepcopy(docs))
        return collection

    def both(self, action: Callable[[Any], Any]) -> tuple[Any, Any]:
        with RECORDER.quiet():
            mine = outcome(lambda: action(self.engine))
            with engine.mongomock_as_shipped():
                theirs = outcome(lambda: action(self.shipped))
        return mine, theirs

    def assert_same(self, action: Callable[[Any], Any]) -> None:
        mine, theirs = self.both(action)
        assert mine == theirs


def stored(draw: st.DrawFn, size: int) -> list[dict[str, Any]]:
    docs = draw(st.lists(documents, max_size=size))
    ids = draw(st.permutations(id_pool))
    return [{"_id": ids[n], "key": n, **doc} for n, doc in enumerate(docs[: len(ids)])]


@st.composite
def stores(draw: st.DrawFn) -> list[dict[str, Any]]:
    return stored(draw, 8)


def _page(
    spec: dict[str, Any], fields: Any, order: Any, skip: int, limit: int
) -> Callable[[Any], Any]:
    def read(collection: Any) -> Any:
        cursor = collection.find(*fresh(spec, fields))
        if order:
            cursor = cursor.sort(order)
        return list(cursor.skip(skip).limit(limit))

    return read


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stores(), filters, projections, sorts, st.integers(0, 3), st.integers(0, 3))
def test_finds_and_counts_answer_as_mongomock(
    docs: list[dict[str, Any]], spec: Any, fields: Any, order: Any, skip: int, limit: int
) -> None:
    pair = Pair(docs)
    pair.assert_same(_page(spec, fields, order, skip, limit))
    pair.assert_same(lambda collection: collection.count_documents(*fresh(spec)))
    pair.assert_same(lambda collection: collection.find_one(*fresh(spec, fields)))
    pair.assert_same(lambda collection: collection.distinct("tags", *fresh(spec)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stores(), filters, sorts, st.integers(0, 3), st.integers(1, 3))
def test_a_page_counts_what_matched(
    docs: list[dict[str, Any]], spec: Any, order: Any, skip: int, limit: int
) -> None:
    pair = Pair(docs)
    with RECORDER.quiet():
        cursor = pair.engine.find(*fresh(spec), {"nested": 0}).sort(order or [("_id", 1)])
        cursor = cursor.skip(skip).limit(limit)
        try:
            list(cursor)
        except Exception:
            return
        counted = engine.matched(cursor)
    mine, theirs = pair.both(lambda collection: collection.count_documents(*fresh(spec)))
    assert mine == theirs == ("ok", shape(counted))


updates = st.one_of(
    st.builds(lambda word: {"$set": {"name": word}}, st.sampled_from(WORDS)),
    st.builds(lambda tags: {"$set": {"tags": tags}}, st.lists(atoms, max_size=2)),
    st.builds(lambda word: {"$push": {"tags": word}}, atoms),
    st.builds(lambda word: {"$addToSet": {"tags": word}}, atoms),
    st.builds(lambda word: {"$pull": {"tags": word}}, atoms),
    st.builds(
        lambda uid: {"$push": {"nested": {"uid": uid, "text": "new"}}, "$inc": {"key": 100}},
        atoms,
    ),
    st.builds(lambda uid: {"$pull": {"nested": {"uid": uid}}}, atoms),
    st.builds(lambda word: {"$set": {"nested.0.text": word}}, st.sampled_from(WORDS)),
    st.builds(lambda word: {"$set": {"nested.$.text": word}}, st.sampled_from(WORDS)),
    st.just({"$inc": {"n": 1}}),
    st.just({"$unset": {"owner": ""}}),
    st.just({"$rename": {"name": "title"}}),
    st.just({"$pop": {"tags": 1}}),
    st.builds(lambda key: {"$set": {"key": key}}, st.integers(0, 3)),
    st.builds(lambda value: {"$set": {"_id": value}}, id_values),
    st.builds(lambda owner: {"$set": {"owner": owner}}, values),
    st.just([{"$set": {"tags": {"$concatArrays": ["$tags", ["sky"]]}}}]),
    st.just([{"$set": {"nested.text": "deep"}}]),
    st.builds(lambda word: {"name": word, "tags": [word]}, st.sampled_from(WORDS)),
)


def _answer(result: Any) -> dict[str, Any]:
    """A write's raw result, less the id of the client that ran it."""
    return {key: value for key, value in result.raw_result.items() if key != "connectionId"}


def _write(kind: str, *arguments: Any) -> Callable[[Any], Any]:
    def write(collection: Any) -> Any:
        spec, change, fields = fresh(*arguments)
        if kind == "update_one":
            return _answer(collection.update_one(spec, change))
        if kind == "upsert":
            # With an _id in the filter, an upsert inserts the same document in both.
            upsert = {**spec, "_id": "upserted"}
            return _answer(collection.update_one(upsert, change, upsert=True))
        if kind == "update_many":
            return _answer(collection.update_many(spec, change))
        if kind == "find_one_and_update":
            return collection.find_one_and_update(
                spec, change, fields, return_document=ReturnDocument.AFTER
            )
        if kind == "find_one_and_delete":
            return collection.find_one_and_delete(spec, fields)
        if kind == "delete_many":
            return _answer(collection.delete_many(spec))
        return collection.insert_one({**change, "_id": "inserted"}).inserted_id

    return write


writes = st.tuples(
    st.sampled_from(
        [
            "update_one",
            "upsert",
            "update_many",
            "find_one_and_update",
            "find_one_and_delete",
            "delete_many",
            "insert_one",
        ]
    ),
    filters,
    updates,
    projections,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stores(), st.lists(writes, min_size=1, max_size=4), st.lists(filters, max_size=4))
def test_writes_answer_and_leave_the_store_as_mongomock(
    docs: list[dict[str, Any]], operations: list[Any], probes: list[Any]
) -> None:
    pair = Pair(docs)
    for kind, spec, change, fields in operations:
        if kind == "insert_one" and not isinstance(change, dict):
            continue
        if kind == "insert_one" and any(key.startswith("$") for key in change):
            continue
        pair.assert_same(_write(kind, spec, change, fields))
        pair.assert_same(lambda collection: list(collection.find()))
    # The indexes followed every change: later queries still answer as mongomock does.
    for spec in probes:
        pair.assert_same(_page(spec, None, [("_id", 1)], 0, 0))


totals = st.builds(
    lambda spec, project, group: [
        {"$match": spec},
        *([{"$project": project}] if project is not None else []),
        {"$group": group},
    ],
    undated_filters,
    st.sampled_from([None, {"n": 1}, {"n": 0}, {"_id": 0, "n": 1}, {"tags": 1}]),
    st.sampled_from(
        [
            {"_id": None, "count": {"$sum": 1}, "total": {"$sum": "$n"}},
            {"_id": None, "total": {"$sum": "$n"}, "keys": {"$sum": "$key"}},
            {"_id": None, "half": {"$sum": 0.5}, "none": {"$sum": "$missing"}},
        ]
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stores(), totals)
def test_totals_answer_as_mongomock(docs: list[dict[str, Any]], pipeline: Any) -> None:
    assert engine.answers_totals(pipeline)
    Pair(docs).assert_same(lambda collection: list(collection.aggregate(*fresh(pipeline))))


def test_an_objectid_finds_its_string_form_in_an_array_as_in_mongomock() -> None:
    """mongomock matches ObjectId("...") against the string "..." inside an array."""
    docs = [{"_id": 1, "key": 1, "tags": [str(IDS[0])]}, {"_id": 2, "key": 2, "tags": "x"}]
    pair = Pair(docs)
    for spec in ({"tags": IDS[0]}, {"tags": {"$in": [IDS[0]]}}, {"tags": {"$all": [IDS[0]]}}):
        pair.assert_same(lambda collection, spec=spec: list(collection.find(spec)))
    mine, _ = pair.both(lambda collection: list(collection.find({"tags": IDS[0]})))
    assert mine == ("ok", shape([docs[0]]))


def test_a_unique_clash_names_its_index_as_a_server_does() -> None:
    collection = Pair([{"_id": 1, "key": 7}]).engine
    try:
        collection.insert_one({"_id": 2, "key": 7})
    except DuplicateKeyError as exc:
        assert exc.details is not None
        assert exc.details["keyPattern"] == {"key": 1}
        assert exc.details["keyValue"] == {"key": 7}
        assert "index: key_1" in str(exc)
    else:
        raise AssertionError("the clash was accepted")
    assert collection.count_documents({}) == 1
