"""A mongomock collection store that keeps in-memory indexes of its documents.

mongomock keeps a collection as an ordered dict from ``_id`` to document and answers
every query by testing every document. This store also keeps, for each field of a
declared index, which documents hold each string or ObjectId at that path (the value
itself, or an element of an array there), and each document's place in the natural
order, so that a query pinning such fields can start from the few documents that
can match. The entries are recomputed whenever mongomock stores, replaces or deletes
a document, and by ``reindex`` after an update changed one in place.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from mongomock import filtering
from mongomock.store import CollectionStore

from photoshare.embedded.sorting import plain_sort_key

Key = Hashable

# mongomock's own walk of a path: the values a condition on it is tested against.
iter_key_candidates: Callable[[str, Any], list[Any]] = filtering.iter_key_candidates


def is_atom(value: Any) -> bool:
    """A value the indexes hold: mongomock and Python agree on when two are equal."""
    return isinstance(value, str | ObjectId)


@dataclass
class Entry:
    """What a document holds at one path."""

    atoms: tuple[Any, ...]
    # An array there holds a string that reads as an ObjectId: mongomock matches an
    # ObjectId query against its string form inside an array.
    id_strings: bool
    # A tuple there: mongomock compares it like an array but flattens only lists.
    irregular: bool


def _entry(path: str, document: dict[str, Any]) -> Entry:
    found: list[Any] = []
    id_strings = irregular = False
    for candidate in iter_key_candidates(path, document):
        if is_atom(candidate):
            found.append(candidate)
        elif isinstance(candidate, tuple):
            irregular = True
        elif isinstance(candidate, list):
            for element in candidate:
                if is_atom(element):
                    found.append(element)
                    id_strings |= isinstance(element, str) and ObjectId.is_valid(element)
    return Entry(tuple(dict.fromkeys(found)), id_strings, irregular)


class FieldIndex:
    """Which documents (by rank) hold each atom at one path."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.top = path.split(".", 1)[0]
        self._postings: dict[Any, set[int]] = {}
        self._atoms: dict[int, tuple[Any, ...]] = {}
        # Documents an ObjectId query may match beyond the postings, and documents
        # every query may match beyond them: candidates, always tested by mongomock.
        self.id_strings: set[int] = set()
        self.irregular: set[int] = set()
        # Each document's plain sort key for the path (None: mongomock must compare).
        self.sort_keys: dict[int, Any] = {}

    def add(self, rank: int, document: dict[str, Any]) -> None:
        self.sort_keys[rank] = plain_sort_key(self.path, document)
        entry = _entry(self.path, document)
        if entry.atoms:
            self._atoms[rank] = entry.atoms
            for atom in entry.atoms:
                self._postings.setdefault(atom, set()).add(rank)
        if entry.id_strings:
            self.id_strings.add(rank)
        if entry.irregular:
            self.irregular.add(rank)

    def remove(self, rank: int) -> None:
        self.sort_keys.pop(rank, None)
        for atom in self._atoms.pop(rank, ()):
            holders = self._postings[atom]
            holders.discard(rank)
            if not holders:
                del self._postings[atom]
        self.id_strings.discard(rank)
        self.irregular.discard(rank)

    def holding(self, atom: Any) -> set[int]:
        """The documents holding ``atom`` (do not change the set returned)."""
        return self._postings.get(atom, _NONE)


_NONE: set[int] = set()


class IndexedCollectionStore(CollectionStore):
    """mongomock's ``CollectionStore`` with field indexes.

    Each document has a rank, its place in the natural order (the ordered dict's), by
    which the indexes name it: ranks sort and hash faster than ``_id`` values.
    """

    def __init__(self, name: str) -> None:
        super().__init__(name)  # type: ignore[no-untyped-call]
        self._ranks: dict[Key, int] = {}
        self._by_rank: dict[int, dict[str, Any]] = {}
        # The rank of each stored document object (updates change them in place), and
        # each document's sort key for _id (which no update may change).
        self._rank_of_object: dict[int, int] = {}
        self._id_sort_keys: dict[int, Any] = {}
        self._counter = itertools.count()
        self.field_indexes: dict[str, FieldIndex] = {}

    def __setitem__(self, key: Key, document: dict[str, Any]) -> None:
        with self._rwlock.writer():
            rank = self._ranks.get(key)
            if rank is None:
                # A new key goes last in the ordered dict; a replaced one keeps its place.
                rank = self._ranks[key] = next(self._counter)
            else:
                del self._rank_of_object[id(self._by_rank[rank])]
            self._documents[key] = document
            self._by_rank[rank] = document
            self._rank_of_object[id(document)] = rank
            self._id_sort_keys[rank] = plain_sort_key("_id", document)
            self._index(rank, None)

    def __delitem__(self, key: Key) -> None:
        with self._rwlock.writer():
            del self._documents[key]
            rank = self._ranks.pop(key)
            del self._rank_of_object[id(self._by_rank.pop(rank))]
            del self._id_sort_keys[rank]
            for index in self.field_indexes.values():
                index.remove(rank)

    def drop(self) -> None:
        super().drop()  # type: ignore[no-untyped-call]
        self._ranks = {}
        self._by_rank = {}
        self._rank_of_object = {}
        self._id_sort_keys = {}
        self.field_indexes = {}

    def create_index(self, index_name: str, index_dict: dict[str, Any]) -> None:
        super().create_index(index_name, index_dict)  # type: ignore[no-untyped-call]
        for path, _ in index_dict.get("key", ()):
            self.index_path(path)

    def index_path(self, path: str) -> None:
        """Keep an index of ``path`` from now on (``_id`` is the store's own key)."""
        if path == "_id" or "$" in path or path in self.field_indexes:
            return
        index = FieldIndex(path)
        with self._rwlock.reader():
            for rank, document in self._by_rank.items():
                index.add(rank, document)
        self.field_indexes[path] = index

    def ranks_of(self, keys: Iterable[Key]) -> set[int]:
        """The ranks of the documents stored under these keys."""
        ranks = self._ranks
        return {ranks[key] for key in keys if key in ranks}

    def reindex(self, key: Key, fields: Collection[str] | None = None) -> None:
        """Recompute the entries of a document an update changed in place; ``fields``:
        the top-level fields the update could change (None: any)."""
        with self._rwlock.writer():
            rank = self._ranks.get(key)
            if rank is not None:
                self._index(rank, fields)

    def _index(self, rank: int, fields: Collection[str] | None) -> None:
        document = self._by_rank[rank]
        for index in self.field_indexes.values():
            if fields is None or index.top in fields:
                index.remove(rank)
                index.add(rank, document)

    def sort_keys(self, path: str, documents: list[dict[str, Any]]) -> list[Any]:
        """Each stored document's ``plain_sort_key`` for ``path``, from its index if any."""
        index = self.field_indexes.get(path)
        if path == "_id":
            cached = self._id_sort_keys
        elif index is not None:
            cached = index.sort_keys
        else:
            return [plain_sort_key(path, document) for document in documents]
        ranks = self._rank_of_object
        return [
            plain_sort_key(path, document) if rank is None else cached[rank]
            for document in documents
            for rank in (ranks.get(id(document)),)
        ]

    def in_natural_order(self, ranks: Iterable[int]) -> list[dict[str, Any]]:
        """The stored documents of these ranks, in the order mongomock would visit them."""
        self._remove_expired_documents()  # type: ignore[no-untyped-call]
        with self._rwlock.reader():
            by_rank = self._by_rank
            return [by_rank[rank] for rank in sorted(ranks) if rank in by_rank]
