"""The indexes of an embedded collection, as the snapshot and the journal keep them.

A unique index decides whether a write fails, so replay must meet the indexes the
server had: the snapshot holds them, and after any index change the journal records
the collection's whole set (its state, not the call). mongomock is untyped: its
collections are ``Any`` here.
"""

from __future__ import annotations

from typing import Any

# What mongomock keeps of an index besides its key and name.
_OPTIONS = ("unique", "sparse", "expireAfterSeconds", "partialFilterExpression")

# The snapshot section of index sets (a collection name never starts with "$").
SECTION = "$indexes"


def describe(collection: Any) -> list[dict[str, Any]]:
    """The collection's indexes other than ``_id``: name, key and options."""
    described = []
    for name, index in collection.index_information().items():
        if name == "_id_":
            continue
        options = {option: index[option] for option in _OPTIONS if option in index}
        key = [[field, direction] for field, direction in index["key"]]
        described.append({"name": name, "key": key, "options": options})
    return described


def restore(collection: Any, described: list[dict[str, Any]]) -> None:
    """Give the collection exactly these indexes."""
    collection.drop_indexes()
    for index in described:
        key = [(str(field), direction) for field, direction in index["key"]]
        collection.create_index(key, name=index["name"], **index["options"])
