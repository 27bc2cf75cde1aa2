"""Index management: the indexes declared on the Documents against those that exist.

Beanie would re-issue ``createIndexes`` at every start, and a changed declaration (keys,
options or name) then fails every boot with IndexKeySpecsConflict/IndexOptionsConflict.
Here a start only creates what is missing and never drops or changes an existing
index; a conflict is logged with the command that resolves it,
``photoshare check-indexes --apply``, which builds new indexes before dropping the ones
they replace and changes a TTL in place (``collMod``).

A start is refused only when a declared unique index is not in force: serving would
then accept duplicate usernames, emails, slugs or tags.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from beanie import Document
from pymongo import IndexModel
from pymongo.errors import PyMongoError

log = logging.getLogger(__name__)

APPLY_COMMAND = "photoshare check-indexes --apply"

# The options that change what an index does; others (v, ns, background) are history.
_OPTIONS = (
    "unique",
    "sparse",
    "expireAfterSeconds",
    "partialFilterExpression",
    "collation",
    "hidden",
)


class IndexesRefused(RuntimeError):
    """A declared unique index is not in force; the message says how to fix it."""


@dataclass(frozen=True)
class IndexSpec:
    """One index: the collection it is on, its name, its ordered key and its options."""

    collection: str
    name: str
    key: tuple[tuple[str, Any], ...]
    options: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, collection: str, document: Mapping[str, Any]) -> IndexSpec:
        key = tuple((str(field), _direction(d)) for field, d in dict(document["key"]).items())
        options = {
            option: document[option]
            for option in _OPTIONS
            if option in document and document[option] is not None and document[option] is not False
        }
        return cls(collection, str(document["name"]), key, tuple(sorted(options.items())))

    @property
    def unique(self) -> bool:
        return dict(self.options).get("unique") is True

    def model(self) -> IndexModel:
        return IndexModel(list(self.key), name=self.name, **dict(self.options))

    def describe(self) -> str:
        key = ", ".join(f"{field}: {direction}" for field, direction in self.key)
        options = "".join(f", {option}={value!r}" for option, value in self.options)
        return f"{self.collection}.{self.name} {{{key}}}{options}"


def _direction(direction: Any) -> Any:
    """1.0 and 1 are the same direction (a server may answer either)."""
    if isinstance(direction, float) and direction.is_integer():
        return int(direction)
    return direction


_TTL = "expireAfterSeconds"


class Change(StrEnum):
    missing = "missing"
    conflicting = "conflicting"
    extra = "extra"


@dataclass(frozen=True)
class Difference:
    """How one declared or existing index differs from the other side."""

    change: Change
    declared: IndexSpec | None
    existing: IndexSpec | None

    @property
    def ttl_only(self) -> bool:
        """A conflict in ``expireAfterSeconds`` alone: ``collMod`` changes it in place."""
        if self.declared is None or self.existing is None:
            return False
        if (self.declared.name, self.declared.key) != (self.existing.name, self.existing.key):
            return False
        mine, theirs = dict(self.declared.options), dict(self.existing.options)
        if _TTL not in mine or _TTL not in theirs:
            return False  # collMod changes a TTL; it neither adds nor removes one
        mine.pop(_TTL), theirs.pop(_TTL)
        return mine == theirs

    @property
    def unique_not_in_force(self) -> bool:
        """A declared unique index that no existing index enforces."""
        if self.declared is None or not self.declared.unique:
            return False
        found = self.existing
        return found is None or not (found.unique and found.key == self.declared.key)

    def describe(self) -> str:
        if self.change is Change.missing and self.declared is not None:
            return f"missing      {self.declared.describe()}"
        if self.change is Change.extra and self.existing is not None:
            return f"extra        {self.existing.describe()}"
        assert self.declared is not None and self.existing is not None
        return f"conflicting  {self.declared.describe()}\n   existing  {self.existing.describe()}"


def declared(model: type[Document]) -> list[IndexSpec]:
    """The indexes a Document declares in its Settings."""
    name = model.get_collection_name()
    specs = []
    for index in getattr(model.Settings, "indexes", []):
        if not isinstance(index, IndexModel) or "name" not in index.document:
            raise TypeError(f"{model.__name__}: declare indexes as named IndexModels")
        specs.append(IndexSpec.of(name, index.document))
    return specs


async def existing(model: type[Document]) -> list[IndexSpec]:
    """The indexes the collection has, other than ``_id``."""
    information = await model.get_motor_collection().index_information()
    name = model.get_collection_name()
    return [
        IndexSpec.of(name, {**details, "name": index})
        for index, details in information.items()
        if index != "_id_"
    ]


def compare(wanted: Sequence[IndexSpec], present: Sequence[IndexSpec]) -> list[Difference]:
    """Every difference between the declared and the existing indexes of one collection."""
    by_name = {index.name: index for index in present}
    by_key = {index.key: index for index in present}
    differences, matched = [], set()
    for index in wanted:
        found = by_name.get(index.name) or by_key.get(index.key)
        if found is None:
            differences.append(Difference(Change.missing, index, None))
            continue
        matched.add(found.name)
        if found != index:
            differences.append(Difference(Change.conflicting, index, found))
    differences += [
        Difference(Change.extra, None, index) for index in present if index.name not in matched
    ]
    return differences


async def differences(models: Iterable[type[Document]]) -> list[Difference]:
    """The differences of every collection, in model order."""
    found = []
    for model in models:
        found += compare(declared(model), await existing(model))
    return found


async def _build(model: type[Document], index: IndexSpec) -> None:
    try:
        await model.get_motor_collection().create_indexes([index.model()])
    except PyMongoError as exc:
        raise IndexesRefused(f"cannot build the index {index.describe()}: {exc}") from exc


async def ensure(models: Iterable[type[Document]]) -> list[Difference]:
    """At start: build the missing indexes, never touch existing ones, report conflicts.

    Returns the conflicts left (each logged as a warning); raises IndexesRefused when a
    declared unique index is not in force.
    """
    conflicts, built, extra = [], [], []
    for model in models:
        for difference in compare(declared(model), await existing(model)):
            if difference.change is Change.missing and difference.declared is not None:
                await _build(model, difference.declared)
                built.append(f"{difference.declared.collection}.{difference.declared.name}")
            elif difference.change is Change.conflicting:
                conflicts.append(difference)
            elif difference.change is Change.extra and difference.existing is not None:
                extra.append(f"{difference.existing.collection}.{difference.existing.name}")
    if built:
        log.info("built the missing indexes %s", ", ".join(built))
    if extra:
        # Left in place (a start never drops one), but every write still maintains them.
        log.info("indexes no longer declared: %s; `%s` drops them", ", ".join(extra), APPLY_COMMAND)
    for conflict in conflicts:
        log.warning(
            "an existing index differs from its declaration; run `%s` to rebuild it:\n%s",
            APPLY_COMMAND,
            conflict.describe(),
        )
    refused = [conflict for conflict in conflicts if conflict.unique_not_in_force]
    if refused:
        names = ", ".join(
            f"{c.declared.collection}.{c.declared.name}" for c in refused if c.declared
        )
        raise IndexesRefused(
            f"the unique index {names} is not in force: serving would accept duplicates; "
            f"run `{APPLY_COMMAND}`"
        )
    return conflicts


async def apply(models: Sequence[type[Document]], *, embedded: bool) -> list[str]:
    """Make the existing indexes what the Documents declare; return what was done.

    New indexes are built before the indexes they replace are dropped. MongoDB keeps one
    index per key pattern and per name, so an index changed under the same key or name
    is dropped first and rebuilt (queries go without it while it builds). A TTL change
    is made in place with ``collMod``; the embedded store has no ``collMod``, so there
    the index is dropped and rebuilt, which is instant.
    """
    by_collection = {model.get_collection_name(): model for model in models}
    found = await differences(models)
    done = []
    for difference in found:  # new indexes first: they may serve while old ones go
        if difference.change is Change.missing and difference.declared is not None:
            await _build(by_collection[difference.declared.collection], difference.declared)
            done.append(f"built        {difference.declared.describe()}")
    for difference in found:
        if difference.change is Change.conflicting:
            done.append(await _replace(by_collection, difference, embedded=embedded))
    for difference in found:
        if difference.change is Change.extra and difference.existing is not None:
            await (
                by_collection[difference.existing.collection]
                .get_motor_collection()
                .drop_index(difference.existing.name)
            )
            done.append(f"dropped      {difference.existing.describe()}")
    return done


async def _replace(
    by_collection: Mapping[str, type[Document]], difference: Difference, *, embedded: bool
) -> str:
    assert difference.declared is not None and difference.existing is not None
    wanted, old = difference.declared, difference.existing
    collection = by_collection[wanted.collection].get_motor_collection()
    if difference.ttl_only and not embedded:
        ttl = dict(wanted.options)[_TTL]
        await collection.database.command(
            {"collMod": wanted.collection, "index": {"name": wanted.name, _TTL: ttl}}
        )
        return f"changed TTL  {wanted.describe()} (collMod)"
    await collection.drop_index(old.name)
    await _build(by_collection[wanted.collection], wanted)
    return f"rebuilt      {wanted.describe()} (dropped {old.name} first)"
