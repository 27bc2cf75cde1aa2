"""The embedded MongoDB's journal: whatever was written, replay rebuilds it exactly.

A "crash image" is the data dir as a killed process leaves it: the SQLite file and its
WAL, copied while the store is still open (nothing is flushed or compacted first).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mongomock
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo import DeleteOne, InsertOne, ReplaceOne, ReturnDocument, UpdateMany, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from photoshare.config import Settings
from photoshare.embedded import mongo
from photoshare.embedded.mongo import STORE_FILE, MongoJournal
from tests import index_coverage


@pytest.fixture(autouse=True)
def _not_the_service_queries() -> Iterator[None]:
    """These collections and queries are the tests' own, not the service's: not recorded."""
    with index_coverage.RECORDER.quiet():
        yield


def _settings(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, **overrides)  # type: ignore[call-arg]


@contextmanager
def journaled(data_dir: Path, **overrides: Any) -> Iterator[tuple[Any, MongoJournal]]:
    """A mongomock database journaled in ``data_dir``; closed (compacted) at the end."""
    data_dir.mkdir(parents=True, exist_ok=True)
    database = mongomock.MongoClient(tz_aware=True)["photoshare"]
    journal = mongo.open_store(database, _settings(data_dir, **overrides))
    try:
        yield database, journal
    finally:
        journal.close()


def crash_image(data_dir: Path, into: Path) -> Path:
    """Copy the store file as a killed process would leave it."""
    into.mkdir(parents=True)
    for name in (STORE_FILE, f"{STORE_FILE}-wal"):
        if (data_dir / name).exists():
            shutil.copy2(data_dir / name, into / name)
    return into


def contents(database: Any) -> dict[str, list[dict[str, Any]]]:
    """Every document, by collection, in the store's order."""
    found = {
        name: list(database.get_collection(name).find({}))
        for name in sorted(database.list_collection_names())
    }
    return {name: documents for name, documents in found.items() if documents}


def reopened(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    with journaled(data_dir) as (database, _):
        return contents(database)


def test_every_kind_of_write_is_replayed_as_it_was_made(tmp_path: Path) -> None:
    with journaled(tmp_path / "live") as (db, _):
        tags, photos = db.get_collection("tags"), db.get_collection("photos")
        tags.create_index("name", unique=True)
        photos.insert_one({"title": "a", "comments": []})
        photos.insert_many([{"title": "b"}, {"title": "c"}])
        # Upserts insert with an _id the server chose; replay must choose the same.
        tags.update_one({"name": "sea"}, {"$inc": {"count": 1}}, upsert=True)
        tags.update_one({"name": "sea"}, {"$inc": {"count": 1}}, upsert=True)
        tags.replace_one({"name": "sky"}, {"name": "sky", "count": 7}, upsert=True)
        tags.find_one_and_update(
            {"name": "fog"},
            {"$set": {"count": 2}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        photos.update_one({"title": "a"}, {"$push": {"comments": {"text": "hi"}}})
        photos.update_many({}, {"$set": {"seen": True}})
        photos.find_one_and_update({"title": "b"}, {"$set": {"title": "B"}})
        photos.find_one_and_replace({"title": "c"}, {"title": "C"})
        photos.find_one_and_delete({"title": "B"})
        photos.delete_many({"title": "nothing"})
        tags.bulk_write(
            [
                InsertOne({"name": "bulk"}),
                UpdateOne({"name": "rain"}, {"$set": {"count": 1}}, upsert=True),
                UpdateMany({}, {"$inc": {"count": 10}}),
                ReplaceOne({"name": "bulk"}, {"name": "bulk", "count": 0}),
                DeleteOne({"name": "sky"}),
            ]
        )
        with pytest.raises(DuplicateKeyError):
            tags.insert_one({"name": "sea"})
        db.get_collection("scratch").insert_one({"x": 1})
        db.get_collection("scratch").drop()
        expected = contents(db)
        image = crash_image(tmp_path / "live", tmp_path / "image")
    assert "scratch" not in expected
    counts = {tag["name"]: tag.get("count") for tag in expected["tags"]}
    assert counts == {"sea": 12, "fog": 12, "bulk": 0, "rain": 11}
    assert reopened(image) == expected
    # The clean stop compacted everything into the snapshot, and that loads the same.
    assert reopened(tmp_path / "live") == expected


def test_writes_that_fail_part_way_fail_the_same_way_at_replay(tmp_path: Path) -> None:
    with journaled(tmp_path / "live") as (db, _):
        users = db.get_collection("users")
        users.create_index("email", unique=True)
        users.insert_many([{"n": 1, "email": "a"}, {"n": 2, "email": "b"}, {"n": 3, "email": "c"}])
        # Ordered: the first document goes in, the duplicate stops the rest.
        with pytest.raises(BulkWriteError):
            users.insert_many([{"email": "d"}, {"email": "a"}, {"email": "e"}])
        # $set changes the document before $inc fails on a string: mongomock keeps both.
        with pytest.raises(TypeError):
            users.update_one({"n": 1}, {"$set": {"touched": True}, "$inc": {"email": 1}})
        expected = contents(db)
        image = crash_image(tmp_path / "live", tmp_path / "image")
    assert [u["email"] for u in expected["users"]] == ["a", "b", "c", "d"]
    assert expected["users"][0]["touched"] is True
    assert reopened(image) == expected


def test_a_store_past_its_bound_is_compacted_and_loses_nothing(tmp_path: Path) -> None:
    with journaled(tmp_path / "live", journal_max_entries=100) as (db, journal):
        notes = db.get_collection("notes")
        for n in range(250):
            notes.insert_one({"n": n})
            notes.update_one({"n": n}, {"$set": {"double": 2 * n}})
            assert journal.file.entries <= 101
        expected = contents(db)
        image = crash_image(tmp_path / "live", tmp_path / "image")
    assert len(expected["notes"]) == 250
    assert reopened(image) == expected


# --- any sequence of writes --------------------------------------------------------

_names = st.sampled_from(["a", "b", "c", "d"])
_filters = st.one_of(
    st.just({}),
    st.builds(lambda n: {"name": n}, _names),
    st.builds(lambda k: {"k": {"$gte": k}}, st.integers(0, 5)),
)
_updates = st.one_of(
    st.builds(lambda k: {"$inc": {"k": k}}, st.integers(-2, 3)),
    st.builds(lambda n: {"$set": {"name": n}}, _names),
    st.builds(lambda n: {"$push": {"log": n}}, _names),
    st.builds(lambda n: {"$addToSet": {"tags": n}}, _names),
    st.builds(lambda n: {"$pull": {"log": n}}, _names),
)
_writes = st.one_of(
    st.tuples(
        st.just("insert_one"),
        st.builds(lambda n, k: {"name": n, "k": k}, _names, st.integers(0, 5)),
    ),
    st.tuples(st.sampled_from(["update_one", "update_many"]), _filters, _updates, st.booleans()),
    st.tuples(
        st.just("replace_one"), _filters, st.builds(lambda n: {"name": n}, _names), st.booleans()
    ),
    st.tuples(st.sampled_from(["delete_one", "delete_many", "find_one_and_delete"]), _filters),
    st.tuples(st.just("find_one_and_update"), _filters, _updates, st.booleans()),
)


def _make(collection: Any, write: tuple[Any, ...]) -> None:
    name, *arguments = write
    if name in ("update_one", "update_many", "replace_one", "find_one_and_update"):
        getattr(collection, name)(arguments[0], arguments[1], upsert=arguments[2])
    else:
        getattr(collection, name)(*arguments)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writes=st.lists(_writes, min_size=1, max_size=25))
def test_any_sequence_of_writes_replays_to_the_same_store(
    tmp_path_factory: pytest.TempPathFactory, writes: list[tuple[Any, ...]]
) -> None:
    base = tmp_path_factory.mktemp("sequence")
    with journaled(base / "live") as (db, _):
        collection = db.get_collection("things")
        collection.create_index("name", unique=True)
        for write in writes:
            # A write refused as MongoDB refuses it must be refused at replay too.
            with contextlib.suppress(DuplicateKeyError):
                _make(collection, write)
        expected = contents(db)
        image = crash_image(base / "live", base / "image")
    assert reopened(image) == expected
