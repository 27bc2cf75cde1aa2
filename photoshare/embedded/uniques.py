"""Unique-index checks that say which index refused the write, as MongoDB does.

mongomock raises a bare ``DuplicateKeyError('E11000 Duplicate Key Error')``; a MongoDB
server's error carries ``details`` with the index name, ``keyPattern`` and
``keyValue``, which the service reads to name the field. This check is mongomock's
(``Collection._ensure_uniques``) with those details added, so both stores agree.
"""

from __future__ import annotations

from typing import Any

from mongomock import DuplicateKeyError, helpers


def ensure_uniques(collection: Any, new_data: dict[str, Any]) -> None:
    """Raise DuplicateKeyError naming the index when ``new_data`` (already stored) clashes."""
    for name, index in collection._store.indexes.items():
        if not index.get("unique"):
            continue
        query = {key: _value(new_data, key) for key, _ in index["key"]}
        if index.get("sparse") and set(query.values()) == {None}:
            continue
        partial = index.get("partialFilterExpression")
        scan = query if partial is None else {"$and": [partial, query]}
        if len(list(collection._iter_documents(scan))) > 1:
            raise DuplicateKeyError(
                f"E11000 duplicate key error collection: {collection.full_name} "
                f"index: {name} dup key: {query}",
                11000,
                {
                    "code": 11000,
                    "keyPattern": {key: direction for key, direction in index["key"]},
                    "keyValue": query,
                },
            )


def _value(document: dict[str, Any], key: str) -> Any:
    try:
        return helpers.get_value_by_dot(document, key)  # type: ignore[no-untyped-call]
    except KeyError:
        return None
