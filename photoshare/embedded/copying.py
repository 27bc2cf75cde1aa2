"""mongomock's copy of a found document, in one quick pass.

A cursor hands out copies: ``_copy_only_fields`` projects the stored document (copying
each value with ``copy.copy`` at every leaf) and, for a ``tz_aware`` client, the cursor
copies the result again to give its dates a UTC timezone. For the projections the
service uses (none, or top-level fields included or excluded), ``project`` builds the
same document in one pass: containers are rebuilt, immutable values shared, dates made
aware when asked. Anything else is left to mongomock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bson import ObjectId
from mongomock import helpers

_IMMUTABLE = frozenset({str, int, float, bool, type(None), bytes, ObjectId})
with_utc: Callable[[Any], Any] = helpers.make_datetime_timezone_aware_in_document
_helpers: Any = helpers
_UTC = _helpers.utc  # the tzinfo mongomock gives dates (bson's), not datetime.UTC


def copy_value(value: Any, utc: bool, mongomock_copy: Callable[[Any], Any]) -> Any:
    """A copy of a stored value, as ``mongomock_copy`` (then ``with_utc``) would make it."""
    kind = type(value)
    if kind is dict:
        return {key: copy_value(item, utc, mongomock_copy) for key, item in value.items()}
    if kind is list:
        return [copy_value(item, utc, mongomock_copy) for item in value]
    if kind is datetime:
        return value.replace(tzinfo=_UTC) if utc else value
    if kind in _IMMUTABLE:
        return value
    copied = mongomock_copy(value)
    return with_utc(copied) if utc else copied


def plain_projection(fields: Any) -> tuple[bool, dict[str, bool], bool] | None:
    """A projection of top-level fields as (including, fields, keeps ``_id``); None for
    one mongomock must read (operators, dotted paths, a mix)."""
    if not isinstance(fields, dict):
        return None
    chosen: dict[str, bool] = {}
    for name, value in fields.items():
        if not isinstance(name, str) or "." in name or "$" in name or value not in (0, 1):
            return None
        if name != "_id":
            chosen[name] = bool(value)
    if len(set(chosen.values())) > 1:
        return None
    keeps_id = fields.get("_id", 1) != 0
    return next(iter(chosen.values()), False), chosen, keeps_id


def project(
    document: dict[str, Any], fields: Any, utc: bool, mongomock_copy: Callable[[Any], Any]
) -> dict[str, Any] | None:
    """``_copy_only_fields(document, fields, dict)`` (with ``with_utc`` applied when
    ``utc``); None when the projection is not a plain one."""
    if fields is None or fields == {}:
        return copy_value(document, utc, mongomock_copy)  # type: ignore[no-any-return]
    plain = plain_projection(fields)
    if plain is None:
        return None
    including, chosen, keeps_id = plain
    if not chosen:
        copied = {} if keeps_id else copy_value(document, utc, mongomock_copy)
    else:
        copied = {
            name: copy_value(value, utc, mongomock_copy)
            for name, value in document.items()
            if (name in chosen) == including
        }
    # mongomock drops _id, or sets it last (after the fields an inclusion copied).
    if not keeps_id:
        copied.pop("_id", None)
    elif "_id" in document:
        copied["_id"] = copy_value(document["_id"], utc, mongomock_copy)
    return copied
