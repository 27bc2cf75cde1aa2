"""``bulk_write`` on the journaled embedded store: its requests made one by one.

Each request becomes the single write it stands for (``UpdateOne`` is ``update_one``),
recorded and made like any other, so replay needs nothing of its own; the results are
gathered into the ``BulkWriteResult`` pymongo returns. As with MongoDB, an ordered bulk
stops at its first failed request and an unordered one goes on; it is not a
transaction in either case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pymongo.errors import BulkWriteError, WriteError
from pymongo.results import BulkWriteResult, DeleteResult, InsertOneResult, UpdateResult

if TYPE_CHECKING:
    from photoshare.embedded.mongo import MongoJournal


class _Requests:
    """Receives what pymongo's request objects add to a bulk (``_add_to_bulk``)."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, dict[str, Any]]] = []

    def _add(self, name: str, arguments: dict[str, Any], options: dict[str, Any]) -> None:
        given = {key: value for key, value in options.items() if value is not None}
        self.writes.append((name, {**arguments, **given}))

    def add_insert(self, document: Any) -> None:
        self._add("insert_one", {"document": document}, {})

    def add_update(
        self, selector: Any, update: Any, multi: bool, upsert: bool, **options: Any
    ) -> None:
        name = "update_many" if multi else "update_one"
        self._add(name, {"filter": selector, "update": update, "upsert": upsert}, options)

    def add_replace(self, selector: Any, replacement: Any, upsert: bool, **options: Any) -> None:
        arguments = {"filter": selector, "replacement": replacement, "upsert": upsert}
        self._add("replace_one", arguments, options)

    def add_delete(self, selector: Any, limit: int, **options: Any) -> None:
        self._add("delete_one" if limit == 1 else "delete_many", {"filter": selector}, options)


def _tally(totals: dict[str, Any], index: int, result: Any) -> None:
    if isinstance(result, InsertOneResult):
        totals["nInserted"] += 1
    elif isinstance(result, UpdateResult) and result.upserted_id is not None:
        totals["nUpserted"] += 1
        totals["upserted"].append({"index": index, "_id": result.upserted_id})
    elif isinstance(result, UpdateResult):
        totals["nMatched"] += result.matched_count
        totals["nModified"] += result.modified_count
    elif isinstance(result, DeleteResult):
        totals["nRemoved"] += result.deleted_count


def write_each(journal: MongoJournal, collection: Any, arguments: dict[str, Any]) -> Any:
    """Make the bulk's requests one by one, each recorded in the journal."""
    if arguments.get("bypass_document_validation"):
        raise NotImplementedError("bypass_document_validation is not supported by mongomock")
    requests = _Requests()
    for request in arguments["requests"]:
        request._add_to_bulk(requests)
    totals: dict[str, Any] = {
        "writeErrors": [],
        "writeConcernErrors": [],
        "upserted": [],
        **dict.fromkeys(("nInserted", "nUpserted", "nMatched", "nModified", "nRemoved"), 0),
    }
    for index, (name, write_arguments) in enumerate(requests.writes):
        try:
            result = journal.write_one(collection, name, write_arguments)
        except WriteError as error:
            failure = {"index": index, "code": error.code, "errmsg": str(error)}
            totals["writeErrors"].append({**failure, "op": write_arguments})
            if arguments.get("ordered", True):
                break
            continue
        _tally(totals, index, result)
    if totals["writeErrors"]:
        raise BulkWriteError(totals)
    return BulkWriteResult(totals, acknowledged=True)
