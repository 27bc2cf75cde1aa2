"""mongomock's ``Collection._update``, with a snapshot of only what the update can change.

mongomock deep-copies every matched document before updating it in place, to tell
whether it changed and to roll it back when the new values break the ``_id`` or a
unique index: for a photo with a thousand comments, each new comment copied them all.
The snapshot here holds only the top-level fields the update names. A field named
whole (``$push`` to ``comments``, ``$inc`` of ``comments_count``) is only rebound or
has its own array changed in place, so a shallow copy keeps its old state; a field
reached through a dotted path (``comments.$.text``) is deep-copied as before; an
update this cannot read is snapshotted whole, as mongomock does. The update itself,
the counts and the errors are mongomock's, and the store's indexes follow each change.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Mapping
from typing import Any

import mongomock.collection
from mongomock import DuplicateKeyError, ObjectId, helpers, not_implemented
from pymongo.errors import WriteError

# The parts of mongomock 4.3's update this module reuses (untyped there).
_mongomock: Any = mongomock.collection
_updaters: dict[str, Any] = _mongomock._updaters
validate_is_mapping: Callable[[str, Any], None] = _mongomock.validate_is_mapping
validate_list_or_mapping: Callable[[str, Any], None] = _mongomock.validate_list_or_mapping
validate_document_stages: Callable[[Any], None] = _mongomock._validate_document_stages
raise_for_feature: Callable[[str, str], None] = not_implemented.raise_for_feature
datetimes_as_stored: Callable[[Any], Any] = helpers.patch_datetime_awareness_in_document

_OPERATORS = {*_updaters, "$rename", "$currentDate", "$addToSet", "$pull", "$pullAll", "$push"}
_PIPELINE_SETS = {"$set", "$addFields"}


def touched_fields(update: Any) -> dict[str, bool] | None:
    """The top-level fields ``update`` can change, each with whether it is reached through
    a dotted path (True: deep-copy it); None: any part of the document."""
    if isinstance(update, list):
        return _pipeline_fields(update)
    if not isinstance(update, Mapping) or not update:
        return None
    fields: dict[str, bool] = {}
    for operator, changes in update.items():
        if operator == "$setOnInsert":
            continue  # applied only to a document being inserted
        if operator not in _OPERATORS or not isinstance(changes, Mapping):
            return None
        paths = list(changes)
        if operator == "$rename":
            paths += list(changes.values())
        for path in paths:
            if not isinstance(path, str):
                return None
            top, dot, _ = path.partition(".")
            if not top or "$" in top:
                return None
            fields[top] = fields.get(top, False) or bool(dot)
    return fields


def _pipeline_fields(stages: list[Any]) -> dict[str, bool] | None:
    """A pipeline of ``$set`` stages of top-level names rebinds those fields only."""
    fields: dict[str, bool] = {}
    for stage in stages:
        if not isinstance(stage, Mapping) or len(stage) != 1:
            return None
        (name, changes), *_ = stage.items()
        if name not in _PIPELINE_SETS or not isinstance(changes, Mapping):
            return None
        for path in changes:
            if not isinstance(path, str) or not path or "." in path or path.startswith("$"):
                return None
            fields[path] = False
    return fields


def _replaces(update: Any) -> bool:
    """A replacement document: the old values are unbound, never changed."""
    return (
        isinstance(update, Mapping)
        and bool(update)
        and not any(isinstance(key, str) and key.startswith("$") for key in update)
    )


class Snapshot:
    """What an update can change in one stored document, taken before it runs."""

    def __init__(self, document: dict[str, Any], update: Any) -> None:
        self.order = list(document)
        self.fields = touched_fields(update)
        self.values: dict[str, Any]
        if self.fields is not None:
            self.values = {
                name: _copy(document[name], deep)
                for name, deep in self.fields.items()
                if name in document
            }
        elif _replaces(update):
            self.values = dict(document)
        else:
            self.values = copy.deepcopy(document)

    def changed(self, document: dict[str, Any]) -> bool:
        if self.fields is None:
            return document != self.values
        return any(
            (name in document) != (name in self.values)
            or (name in document and document[name] != self.values[name])
            for name in self.fields
        )

    def id_changed(self, document: dict[str, Any]) -> bool:
        if self.fields is not None and "_id" not in self.fields:
            return False
        return bool(self.values.get("_id") != document.get("_id"))

    def restore(self, document: dict[str, Any]) -> None:
        """Put the document back as it was, fields in their order."""
        if self.fields is None:
            restored = self.values
        else:
            restored = {
                name: self.values[name] if name in self.fields else document[name]
                for name in self.order
            }
        document.clear()
        document.update(restored)


def _copy(value: Any, deep: bool) -> Any:
    if deep:
        return copy.deepcopy(value)
    return list(value) if isinstance(value, list) else value


def store_key(document_id: Any) -> Any:
    """The key mongomock stores a document under."""
    hashdict: Any = helpers.hashdict
    return hashdict(document_id) if isinstance(document_id, dict) else document_id


def _reindex(store: Any, key: Any, fields: Mapping[str, bool] | None) -> None:
    reindex = getattr(store, "reindex", None)
    if reindex is not None:
        reindex(key, fields)


def _refuse_unsupported(**options: Any) -> None:
    """mongomock's refusals of the options it does not implement, in its words."""
    if options["session"]:
        raise_for_feature("session", "Mongomock does not handle sessions yet")
    if options["hint"]:
        raise NotImplementedError(
            "The hint argument of update is valid but has not been implemented in mongomock yet"
        )
    for name, what in (
        ("collation", "The collation argument of update is valid but has not been"),
        ("array_filters", "Array filters are not implemented in mongomock yet."),
        ("let", "The let argument of update is valid but has not been"),
    ):
        if options[name]:
            message = what if name == "array_filters" else f"{what} implemented in mongomock yet"
            raise_for_feature(name, message)


def _validated(collection: Any, spec: Any, document: Any) -> tuple[Any, Any]:
    spec = datetimes_as_stored(spec)
    document = datetimes_as_stored(document)
    validate_is_mapping("spec", spec)
    validate_list_or_mapping("document", document)
    if isinstance(document, list):
        validate_document_stages(document)
    if collection.database.client.server_info()["versionArray"] < [5]:
        for operator in _updaters:
            if not document.get(operator, True):
                raise WriteError(
                    f"'{operator}' is empty. You must specify a field like so: "
                    f"{{{operator}: {{<field>: ...}}}}"
                )
    return spec, document


def _upsert_document(collection: Any, spec: Any, document: Any) -> dict[str, Any]:
    """The document an upsert starts from: the filter's equalities and an ``_id``."""
    if spec.get("_id") is not None:
        document_id = spec["_id"]
    elif not isinstance(document, list) and document.get("_id") is not None:
        document_id = document["_id"]
    else:
        document_id = ObjectId()
    to_insert = collection._expand_dots(dict(spec, _id=document_id))
    to_insert, _ = collection._discard_operators(to_insert)
    return to_insert  # type: ignore[no-any-return]


def _apply(collection: Any, document: dict[str, Any], spec: Any, update: Any, insert: bool) -> None:
    if isinstance(update, list):
        collection._apply_update_pipeline(document, update, None)
    else:
        collection._apply_update_document(document, spec, update, insert)


def _update_one_matched(collection: Any, existing: dict[str, Any], spec: Any, update: Any) -> bool:
    """Update a stored document in place; whether it changed. Rolls it back and raises
    when the change breaks its ``_id`` or a unique index, as mongomock does."""
    store = collection._store
    snapshot = Snapshot(existing, update)
    key = store_key(existing.get("_id"))
    try:
        _apply(collection, existing, spec, update, False)
    finally:
        _reindex(store, key, snapshot.fields)
    if not snapshot.changed(existing):
        return False
    if snapshot.id_changed(existing):
        altered = existing.get("_id")
        snapshot.restore(existing)
        _reindex(store, key, snapshot.fields)
        raise WriteError(
            "After applying the update, the (immutable) field '_id' was found to have "
            f"been altered to _id: {altered}"
        )
    try:
        collection._ensure_uniques(existing)
    except DuplicateKeyError:
        snapshot.restore(existing)
        _reindex(store, key, snapshot.fields)
        raise
    return True


def update(
    self: Any,
    spec: Any,
    document: Any,
    upsert: bool = False,
    manipulate: bool = False,
    multi: bool = False,
    check_keys: bool = False,
    hint: Any = None,
    session: Any = None,
    collation: Any = None,
    let: Any = None,
    array_filters: Any = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """``Collection._update`` of mongomock 4.3, with ``Snapshot`` for its deep copy."""
    _refuse_unsupported(
        session=session, hint=hint, collation=collation, array_filters=array_filters, let=let
    )
    spec, document = _validated(self, spec, document)
    updated_existing = False
    upserted_id = None
    num_updated = num_matched = 0
    for existing in itertools.chain(self._iter_documents(spec), [None]):
        if existing is None:
            if not upsert or num_matched:
                continue
            to_insert = _upsert_document(self, spec, document)
            num_matched += 1
            _apply(self, to_insert, spec, document, True)
            upserted_id = self._insert(to_insert)
            num_updated += 1
        else:
            updated_existing = True
            num_matched += 1
            num_updated += _update_one_matched(self, existing, spec, document)
        if not multi:
            break
    return {
        "connectionId": self.database.client._id,
        "err": None,
        "n": num_matched,
        "nModified": num_updated if updated_existing else 0,
        "ok": 1,
        "upserted": upserted_id,
        "updatedExisting": updated_existing,
    }
