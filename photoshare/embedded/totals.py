"""Totals of matching documents (``$match``, ``$group`` of ``$sum``s) without copies.

mongomock's ``aggregate`` copies the whole collection, filters the copies and then
evaluates each accumulator expression on each document. For the one shape the profile
statistics use, a single group (``_id: None``) of ``$sum``s of constants or top-level
fields, after an optional plain ``$project``, the same figures come from the stored
documents themselves: found through the indexes, read in natural order, and summed by
mongomock's own ``$sum``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mongomock import aggregate as mongomock_aggregate
from mongomock import helpers

mongomock_sum: Callable[[list[Any]], Any] = mongomock_aggregate._sum_operation
datetimes_as_stored: Callable[[Any], Any] = helpers.patch_datetime_awareness_in_document


@dataclass(frozen=True)
class Totals:
    """A pipeline this module answers: its filter, and each output's constant or field
    (None: a field the projection removed)."""

    match: dict[str, Any]
    sums: list[tuple[str, int | float | str | None]]

    def compute(self, documents: list[dict[str, Any]]) -> dict[str, Any]:
        """The group mongomock would return for these (matching) documents."""
        group: dict[str, Any] = {}
        for output, operand in self.sums:
            if operand is None:
                group[output] = _sum([])
            elif isinstance(operand, str):
                group[output] = _sum([doc[operand] for doc in documents if operand in doc])
            elif type(operand) is int:
                group[output] = operand * len(documents)  # what adding it up gives
            else:
                group[output] = _sum([operand] * len(documents))
        group["_id"] = None
        return group


_PLAIN_NUMBERS = {int, float}


def _sum(values: list[Any]) -> Any:
    """mongomock's ``$sum``, which for ints and floats alone is Python's ``sum``."""
    if set(map(type, values)) <= _PLAIN_NUMBERS:
        return sum(values)
    return mongomock_sum(values)


def _has_datetime(value: Any) -> bool:
    if isinstance(value, datetime):
        return True
    if isinstance(value, Mapping):
        return any(_has_datetime(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_has_datetime(item) for item in value)
    return False


def _survivors(projection: Any) -> Callable[[str], bool] | None:
    """Which top-level fields a plain ``$project`` keeps; None: not a plain one."""
    if projection is None:
        return lambda name: True
    if not isinstance(projection, Mapping) or not projection:
        return None
    if any(not isinstance(name, str) or "." in name or name.startswith("$") for name in projection):
        return None
    if any(value not in (0, 1) for value in projection.values()):
        return None
    fields = {name: bool(value) for name, value in projection.items() if name != "_id"}
    if len(set(fields.values())) > 1:
        return None  # mongomock refuses a mix: let it say so
    including = next(iter(fields.values()), bool(projection.get("_id", 1)))
    keeps_id = bool(projection.get("_id", 1))
    if including:
        return lambda name: fields.get(name, False) or (name == "_id" and keeps_id)
    return lambda name: name not in fields and (name != "_id" or keeps_id)


def _operand(accumulator: Any, kept: Callable[[str], bool]) -> tuple[bool, Any]:
    """Whether ``accumulator`` is a plain ``$sum``, and what it sums."""
    if not isinstance(accumulator, Mapping) or list(accumulator) != ["$sum"]:
        return False, None
    operand = accumulator["$sum"]
    if isinstance(operand, bool) or not isinstance(operand, int | float | str):
        return False, None
    if not isinstance(operand, str):
        return True, operand
    name = operand[1:]
    if not operand.startswith("$") or not name or "." in name or name.startswith("$"):
        return False, None
    return True, name if kept(name) else None


def totals_of(pipeline: Any) -> Totals | None:
    """The pipeline as ``Totals``, if it has that shape."""
    if not isinstance(pipeline, list) or len(pipeline) not in (2, 3):
        return None
    if any(not isinstance(stage, Mapping) or len(stage) != 1 for stage in pipeline):
        return None
    match, group = pipeline[0].get("$match"), pipeline[-1].get("$group")
    projection = pipeline[1].get("$project", {}) if len(pipeline) == 3 else None
    kept = _survivors(projection)
    if not isinstance(match, dict) or _has_datetime(match) or kept is None:
        return None
    if not isinstance(group, Mapping) or "_id" not in group or group["_id"] is not None:
        return None
    sums: list[tuple[str, Any]] = []
    for output, accumulator in group.items():
        if output == "_id":
            continue
        plain, operand = _operand(accumulator, kept)
        if not plain:
            return None
        sums.append((output, operand))
    return Totals(datetimes_as_stored(match), sums)
