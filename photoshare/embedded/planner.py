"""Which stored documents a filter can match, from the ``_id`` and the field indexes.

A plan narrows a query to candidates; mongomock's ``filter_applies`` still decides,
unless the plan is exact: every condition of the filter was answered by an index with
mongomock's own meaning (equality, ``$in`` and ``$all`` of strings and ObjectIds), so
every candidate matches and testing it again would change nothing.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from bson import ObjectId

from photoshare.embedded.store import FieldIndex, IndexedCollectionStore, is_atom


@dataclass(frozen=True)
class Plan:
    ranks: set[int] | None  # None: any document may match
    exact: bool  # every candidate matches the whole filter


_ANY = Plan(None, False)


def plan(store: IndexedCollectionStore, query: Any) -> Plan:
    """The candidates of ``query`` (a filter document) in ``store``."""
    if not isinstance(query, dict):
        return _ANY
    ranks: set[int] | None = None
    exact = True
    for field, condition in query.items():
        if field == "$and" and isinstance(condition, list) and condition:
            part = _intersection([plan(store, clause) for clause in condition])
        elif field == "_id":
            part = _by_id(store, condition)
        elif not isinstance(field, str) or field.startswith("$"):
            part = _ANY
        else:
            part = _by_field(store.field_indexes.get(field), condition)
        exact &= part.exact
        if part.ranks is not None:
            ranks = set(part.ranks) if ranks is None else ranks & part.ranks
    return Plan(ranks, exact and ranks is not None)


def _intersection(parts: list[Plan]) -> Plan:
    ranks: set[int] | None = None
    for part in parts:
        if part.ranks is not None:
            ranks = set(part.ranks) if ranks is None else ranks & part.ranks
    return Plan(ranks, ranks is not None and all(part.exact for part in parts))


def _is_key(value: Any) -> bool:
    """A value an ``_id`` is looked up by: hashable, and stored under itself."""
    return isinstance(value, Hashable) and not isinstance(value, dict | list | tuple)


def _by_id(store: IndexedCollectionStore, condition: Any) -> Plan:
    """Documents are stored under their ``_id``. For strings and ObjectIds the lookup is
    mongomock's equality; for other values mongomock tests each document found."""
    if isinstance(condition, dict):
        if set(condition) == {"$eq"} and _is_key(condition["$eq"]):
            return Plan(store.ranks_of([condition["$eq"]]), False)
        if set(condition) == {"$in"} and isinstance(condition["$in"], list):
            values = condition["$in"]
            if all(_is_key(value) for value in values):
                return Plan(store.ranks_of(values), all(map(is_atom, values)))
        return _ANY
    if condition is None or not _is_key(condition):
        return _ANY
    return Plan(store.ranks_of([condition]), is_atom(condition))


def _by_field(index: FieldIndex | None, condition: Any) -> Plan:
    if index is None:
        return _ANY
    found = _from_postings(index, condition)
    if found is None:
        return _ANY
    beyond = index.irregular
    if isinstance(condition, ObjectId):
        beyond = beyond | index.id_strings
    if beyond:
        return Plan(found | beyond, False)
    return Plan(found, True)


def _from_postings(index: FieldIndex, condition: Any) -> set[int] | None:
    """The documents the postings say match; None: a condition they do not answer."""
    if is_atom(condition):
        return set(index.holding(condition))
    if not isinstance(condition, dict) or len(condition) != 1:
        return None
    operator, values = next(iter(condition.items()))
    if not isinstance(values, list) or not all(map(is_atom, values)):
        return None
    if operator == "$in":
        return set().union(*(index.holding(value) for value in values))
    if operator == "$all" and values and index.path == index.top:
        # mongomock flattens arrays for $all only at the top of the path.
        keys = set(index.holding(values[0]))
        for value in values[1:]:
            keys &= index.holding(value)
        return keys
    return None
