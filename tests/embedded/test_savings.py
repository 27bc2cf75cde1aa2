"""What the embedded engine spares: scans, copies and second evaluations.

The answers themselves are compared with mongomock in ``test_engine.py``; these tests
count what the engine does to reach them, on a collection of 2,000 documents.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import mongomock
import pytest
from bson import ObjectId

from photoshare.embedded import engine, planner
from tests.index_coverage import RECORDER


@contextmanager
def counting(module: Any, name: str) -> Iterator[list[Any]]:
    """Record each call of ``module.name`` (its arguments) while the block runs."""
    calls: list[Any] = []
    original = getattr(module, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    setattr(module, name, spy)
    try:
        yield calls
    finally:
        setattr(module, name, original)


@pytest.fixture
def crowded() -> Iterator[Any]:
    """A collection of 2,000 documents, one with 1,000 comments."""
    collection = mongomock.MongoClient(tz_aware=True).db.crowded
    collection.create_index("owner")
    owners = [ObjectId() for _ in range(10)]
    comments = [{"id": n, "author": owners[n % 10], "text": f"comment {n}"} for n in range(1000)]
    collection.insert_one({"_id": 0, "owner": owners[0], "comments": comments, "count": 1000})
    collection.insert_many(
        {"_id": n, "owner": owners[n % 10], "comments": []} for n in range(1, 2000)
    )
    with RECORDER.quiet():
        yield collection


def test_lookups_by_id_and_by_an_indexed_field_test_only_what_they_find(crowded: Any) -> None:
    with counting(engine, "filter_applies") as tested:
        one = crowded.find_one({"_id": 1234}, {"comments": 0})
        found = list(crowded.find({"_id": {"$in": [1999, 5, 77777]}}, {"_id": 1}))
    assert set(one) == {"_id", "owner"}
    assert found == [{"_id": 5}, {"_id": 1999}]
    assert len(tested) == 3  # each document found is tested once, no other
    owner = crowded.find_one({"_id": 3})["owner"]
    with counting(engine, "filter_applies") as tested:
        assert crowded.count_documents({"owner": owner}) == 200
    assert tested == []


def test_a_page_and_its_total_come_from_one_evaluation(crowded: Any) -> None:
    owner = crowded.find_one({"_id": 3})["owner"]
    with counting(engine, "plan") as planned:
        cursor = crowded.find({"owner": owner}, {"comments": 0}).sort("_id", -1).skip(10)
        page = list(cursor.limit(5))
        total = engine.matched(cursor)
    assert [doc["_id"] for doc in page] == [1893, 1883, 1873, 1863, 1853]
    assert total == 200
    assert len(planned) == 1


def test_a_comment_on_a_long_thread_copies_none_of_it(crowded: Any) -> None:
    thread = crowded.find_one({"_id": 0})["comments"]
    with counting(copy, "deepcopy") as copies:
        result = crowded.update_one(
            {"_id": 0}, {"$push": {"comments": {"id": 1000, "text": "new"}}, "$inc": {"count": 1}}
        )
    assert result.modified_count == 1
    assert not any(isinstance(args[0], list | dict) and len(args[0]) >= 1000 for args in copies)
    after = crowded.find_one({"_id": 0})
    assert after["count"] == 1001
    assert after["comments"][:1000] == thread
    assert after["comments"][-1] == {"id": 1000, "text": "new"}


def test_an_update_that_breaks_a_unique_index_leaves_the_document_and_its_index(
    crowded: Any,
) -> None:
    crowded.create_index("slug", unique=True, sparse=True)
    crowded.update_one({"_id": 1}, {"$set": {"slug": "taken"}})
    before = crowded.find_one({"_id": 2})
    with pytest.raises(mongomock.DuplicateKeyError):
        crowded.update_one({"_id": 2}, {"$set": {"slug": "taken"}, "$push": {"comments": 1}})
    assert crowded.find_one({"_id": 2}) == before
    assert [doc["_id"] for doc in crowded.find({"owner": before["owner"]}, {"_id": 1})][:2] == [
        2,
        12,
    ]


def test_exact_plans_need_every_condition_answered() -> None:
    collection = mongomock.MongoClient().db.plans
    collection.create_index("tags")
    collection.insert_one({"_id": 1, "tags": ["a"]})
    store = collection._store
    assert planner.plan(store, {"tags": "a"}).exact
    assert planner.plan(store, {"tags": {"$all": ["a"]}}).exact
    assert not planner.plan(store, {"tags": "a", "n": {"$gt": 1}}).exact
    assert not planner.plan(store, {"tags": {"$all": []}}).exact  # mongomock: all of nothing
    assert planner.plan(store, {"n": 1}).ranks is None
