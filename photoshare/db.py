"""The only module that knows the MongoDB driver.

It builds the client (motor for a real server, mongomock-motor for the embedded
store) and registers the Beanie documents the app hands it. Services read and insert
through Beanie; ``collection()`` gives the typed driver collection for what Beanie does
not express, atomic updates with a guard in the filter (docs/architecture.md). In
embedded mode the in-process database is kept in ``<data dir>/mongo.sqlite3``: a
snapshot and a journal in which every write is recorded before it is acknowledged
(``photoshare.embedded``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, cast

from beanie import Document, init_beanie
from mongomock.aggregate import process_pipeline
from mongomock_motor import AsyncMongoMockClient
from motor.motor_asyncio import (
    AsyncIOMotorClient,
    AsyncIOMotorCollection,
    AsyncIOMotorDatabase,
)
from pymongo.errors import DuplicateKeyError, PyMongoError

from photoshare import indexes
from photoshare.config import Settings
from photoshare.embedded import engine
from photoshare.embedded import mongo as embedded_mongo

__all__ = [
    "Collection",
    "Database",
    "DuplicateKeyError",
    "PyMongoError",
    "aggregate",
    "collection",
    "connect",
    "count",
    "find_page",
    "server_client",
]

log = logging.getLogger(__name__)


# motor's own stubs type every method; documents come back as pymongo's default dicts.
Collection: TypeAlias = "AsyncIOMotorCollection[dict[str, Any]]"


def collection(model: type[Document]) -> Collection:
    """The driver collection behind a document, for atomic updates Beanie does not express."""
    return cast(Collection, model.get_motor_collection())


async def count(model: type[Document], query: dict[str, Any]) -> int:
    """How many documents match; unfiltered, the collection's own count (no scan)."""
    source = collection(model)
    if not query:
        return int(await source.estimated_document_count())
    return int(await source.count_documents(query))


async def find_page(
    model: type[Document],
    query: dict[str, Any],
    sort: list[tuple[str, int]],
    skip: int,
    limit: int,
    projection: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the documents matching ``query`` in ``sort`` order, and how many match.

    MongoDB answers a find and a count; the embedded store evaluates the filter once,
    copies only the page, and counts what matched.
    """
    source = collection(model)
    cursor = source.find(query, projection).sort(sort).skip(skip).limit(limit)
    page: list[dict[str, Any]] = await cursor.to_list(None)
    if isinstance(source.database.client, AsyncMongoMockClient):
        return page, engine.matched(cursor)
    return page, await count(model, query)


async def aggregate(model: type[Document], pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run an aggregation pipeline and return its results.

    The embedded store's ``aggregate`` copies every document of the collection before
    the first stage runs. There, totals of the matching documents are summed without
    copies (``embedded.totals``); otherwise a leading ``$match`` (and ``$project``) runs
    as a find, which filters first, and the remaining stages run in mongomock's pipeline
    engine: the same stages, over the same documents, at a fraction of the cost.
    """
    source = collection(model)
    embedded = isinstance(source.database.client, AsyncMongoMockClient)
    if not embedded or not pipeline or engine.answers_totals(pipeline):
        return list(await source.aggregate(pipeline).to_list(None))
    stages = list(pipeline)
    match = stages.pop(0)["$match"] if "$match" in stages[0] else {}
    projection = stages.pop(0)["$project"] if stages and "$project" in stages[0] else None
    documents = await source.find(match, projection).to_list(None)
    return list(process_pipeline(documents, None, stages, None))  # type: ignore[no-untyped-call]


@dataclass
class Database:
    client: Any
    database: AsyncIOMotorDatabase[Any]
    journal: embedded_mongo.MongoJournal | None = None

    async def ping(self) -> bool:
        try:
            await self.database.command("ping")
        except PyMongoError:
            return False
        return True

    async def close(self) -> None:
        if self.journal is not None:
            self.journal.close()
        self.client.close()


def server_client(settings: Settings) -> AsyncIOMotorClient[Any]:
    """A client of the configured MongoDB server; it connects on first use.

    ``timeoutMS`` bounds every operation on the client side, so a server that accepts
    the connection and then stalls fails the request instead of holding it. It bounds
    server selection too: pymongo ignores ``serverSelectionTimeoutMS`` once it is set.
    """
    assert settings.mongodb_url is not None
    return AsyncIOMotorClient(
        settings.mongodb_url.get_secret_value(),
        tz_aware=True,
        appname=settings.mongodb_appname,
        timeoutMS=settings.mongodb_timeout_ms,
        maxPoolSize=settings.mongodb_max_pool_size,
        minPoolSize=settings.mongodb_min_pool_size,
    )


async def connect(
    settings: Settings,
    models: Sequence[type[Document]],
    *,
    read_only: bool = False,
    build_indexes: bool = True,
) -> Database:
    """Open the configured database, register ``models`` and build their missing indexes.

    Existing indexes are never changed here (``photoshare.indexes``); a read-only
    database, or ``build_indexes=False`` (``check-indexes --apply``), builds none.
    """
    if settings.mongodb_url is not None:
        client: Any = server_client(settings)
        db = Database(client, client[settings.mongodb_database])
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine.install()
        client = AsyncMongoMockClient(tz_aware=True)
        database = client[settings.mongodb_database]
        journal = embedded_mongo.open_store(database.delegate, settings, read_only=read_only)
        db = Database(client, database, journal)
    await init_beanie(database=db.database, document_models=list(models), skip_indexes=True)
    if build_indexes and not read_only:
        try:
            await indexes.ensure(models)
        except BaseException:
            await db.close()
            raise
    return db
