"""Every query the service issues, explained by a real MongoDB server.

tests/index_coverage.py records one example of each query shape the run issues
(collection, filter, sort). With ``PHOTOSHARE_TEST_MONGODB_URL`` set, the last test of
the run replays each one with ``explain`` (verbosity ``executionStats``) on a database
whose indexes the app declared at start-up, and requires the winning plan to read an
index and not to sort in memory. The explained databases are empty: the planner then
still has to pick among the declared indexes, and a shape no index serves shows a
COLLSCAN or a SORT stage whatever the data. Updates, deletes, counts and aggregations
are explained as the find of their filter: that is the part of them an index serves.

Without a server, the plan reading is proven on explain outputs shaped as the MongoDB
manual shows them, and the recorded shapes are checked to be replayable.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from photoshare.app import document_models
from photoshare.config import Settings
from tests import real_mongodb
from tests.factories import PhotoFactory, UserFactory
from tests.index_coverage import RECORDER, RecordedQuery, queries_of
from tests.query_plans import verdict
from tests.servers import running_app


def explain_command(query: RecordedQuery) -> dict[str, Any]:
    """The ``explain`` command that replays a recorded query as the find of its filter."""
    find: dict[str, Any] = {"find": query.collection, "filter": query.filter}
    if query.sort:
        find["sort"] = dict(query.sort)
    return {"explain": find, "verbosity": "executionStats"}


def _ixscan(index: str, **keys: int) -> dict[str, Any]:
    return {"stage": "IXSCAN", "keyPattern": keys, "indexName": index, "direction": "forward"}


# Plans as the manual's "Explain Results" page shows them (classic engine, then the
# slot-based engine's queryPlan, then an aggregation whose find layer is a $cursor).
FETCH_IXSCAN = {
    "queryPlanner": {
        "winningPlan": {"stage": "FETCH", "inputStage": _ixscan("owner_id_1", owner_id=1)},
        "rejectedPlans": [],
    },
    "executionStats": {"nReturned": 1, "totalKeysExamined": 1, "totalDocsExamined": 1},
}
COLLSCAN = {
    "queryPlanner": {
        "winningPlan": {"stage": "COLLSCAN", "filter": {"owner_id": {"$eq": 1}}},
        "rejectedPlans": [],
    },
    "executionStats": {"nReturned": 1, "totalKeysExamined": 0, "totalDocsExamined": 719},
}
SORT_IN_MEMORY = {
    "queryPlanner": {
        "winningPlan": {
            "stage": "SORT",
            "sortPattern": {"created_at": -1},
            "memLimit": 104857600,
            "type": "simple",
            "inputStage": {"stage": "FETCH", "inputStage": _ixscan("tags_1", tags=1)},
        },
        "rejectedPlans": [],
    }
}
SLOT_BASED = {
    "explainVersion": "2",
    "queryPlanner": {
        "winningPlan": {
            "queryPlan": {
                "stage": "LIMIT",
                "inputStage": {
                    "stage": "FETCH",
                    "inputStage": _ixscan("tags_1_created_at_-1", tags=1, created_at=-1),
                },
            },
            "slotBasedPlan": {"slots": "...", "stages": "..."},
        },
        "rejectedPlans": [],
    },
}
ID_LOOKUP = {"queryPlanner": {"winningPlan": {"stage": "IDHACK"}, "rejectedPlans": []}}
OR_OF_INDEXES = {
    "queryPlanner": {
        "winningPlan": {
            "stage": "FETCH",
            "inputStage": {
                "stage": "OR",
                "inputStages": [_ixscan("username_key_1", username_key=1), {"stage": "COLLSCAN"}],
            },
        }
    }
}
AGGREGATION = {
    "explainVersion": "1",
    "stages": [
        {"$cursor": {"queryPlanner": {"winningPlan": {"stage": "COLLSCAN"}}}},
        {"$group": {"_id": "$tags", "n": {"$sum": {"$const": 1}}}},
    ],
}


@pytest.mark.parametrize(
    ("explain", "stages", "uses_index", "sorts_in_memory"),
    [
        (FETCH_IXSCAN, ("FETCH", "IXSCAN"), True, False),
        (COLLSCAN, ("COLLSCAN",), False, False),
        (SORT_IN_MEMORY, ("SORT", "FETCH", "IXSCAN"), True, True),
        (SLOT_BASED, ("LIMIT", "FETCH", "IXSCAN"), True, False),
        (ID_LOOKUP, ("IDHACK",), True, False),
        (OR_OF_INDEXES, ("FETCH", "OR", "IXSCAN", "COLLSCAN"), False, False),
        (AGGREGATION, ("COLLSCAN",), False, False),
    ],
    ids=["fetch-ixscan", "collscan", "sort", "slot-based", "idhack", "or-collscan", "aggregate"],
)
def test_the_plan_check_reads_explain_outputs(
    explain: dict[str, Any], stages: tuple[str, ...], uses_index: bool, sorts_in_memory: bool
) -> None:
    plan = verdict(explain)
    assert plan.stages == stages
    assert plan.uses_index is uses_index
    assert plan.sorts_in_memory is sorts_in_memory
    assert plan.acceptable is (uses_index and not sorts_in_memory)


def test_an_explain_output_without_a_plan_is_an_error() -> None:
    with pytest.raises(ValueError, match="queryPlanner"):
        verdict({"ok": 1})


async def test_the_service_queries_are_recorded_as_replayable_shapes(
    make_settings: Callable[..., Settings],
) -> None:
    """A short session through the API leaves its queries, with their sorts, in the recorder."""
    async with running_app(make_settings()) as client:
        users, photos = UserFactory(client), PhotoFactory(client)
        alice, bob = await users.admin_and_user()
        photo = await photos.upload(alice, description="harbour at dawn", tags="sea,boats")
        path = f"/api/v1/photos/{photo['id']}"
        comment = {"text": "lovely light"}
        assert (await client.post(f"{path}/comments", json=comment, headers=bob.headers)).is_success
        assert (
            await client.post(f"{path}/ratings", json={"stars": 4}, headers=bob.headers)
        ).is_success
        searches = ("q=harbour", "tag=sea", "sort=top_rated", "sort=oldest", "sort=taken_oldest")
        for search in (*searches, "sort=taken_newest"):
            found = await client.get(f"/api/v1/photos?{search}")
            assert [p["id"] for p in found.json()["items"]] == [photo["id"]], search
        tags = (await client.get("/api/v1/tags?prefix=bo")).json()["items"]
        assert [tag["name"] for tag in tags] == ["boats"]

    collections = {model.get_collection_name() for model in document_models()}
    examples = list(RECORDER.examples.values())
    assert {query.collection for query in examples} >= {"users", "photos", "tags"}
    assert {query.collection for query in examples} <= collections
    assert any(query.collection == "photos" and query.sort for query in examples)
    for query in examples:
        command = explain_command(query)
        assert list(command) == ["explain", "verbosity"]
        assert isinstance(command["explain"]["filter"], dict)
        assert list(command["explain"].get("sort", {}).items()) == list(query.sort)


@pytest.mark.skipif(real_mongodb.URL is None, reason=real_mongodb.SKIP_REASON)
async def test_every_recorded_query_uses_an_index_on_the_server(
    make_settings: Callable[..., Settings],
) -> None:
    """Runs last (tests/conftest.py): it replays the queries of the whole run."""
    settings = make_settings()
    async with running_app(settings):
        pass  # the app's start-up creates the declared indexes
    examples = sorted(RECORDER.examples.items(), key=lambda item: item[0].describe())
    assert examples, "no query was recorded"
    refused = []
    database = real_mongodb.DATABASES.client()[settings.mongodb_database]
    for shape, query in examples:
        plan = verdict(database.command(explain_command(query)))
        if not plan.acceptable:
            refused.append(f"{shape.describe()}: {plan.describe()}")
    assert refused == [], "\n".join(refused)


def test_a_data_dir_has_its_own_database_on_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the fixtures hand an app, and a `photoshare` process, when a server is set."""
    url = "mongodb://db.example:27017/?replicaSet=rs0"
    databases = real_mongodb.ServerDatabases(url)
    first, again, other = tmp_path / "a", tmp_path / "a", tmp_path / "b"
    settings = Settings(_env_file=None, data_dir=first, **databases.settings(first))
    assert not settings.embedded
    assert settings.mongodb_url is not None and settings.mongodb_url.get_secret_value() == url
    assert settings.mongodb_database.startswith(real_mongodb.RUN_PREFIX)
    assert len(settings.mongodb_database) < 64  # MongoDB's limit on a database name
    settings.check_production()  # a key and a public address, as a real database needs
    # A restart on the same dir finds its data; another dir starts empty.
    assert databases.name_for(again) == settings.mongodb_database
    assert databases.name_for(other) != settings.mongodb_database
    assert databases.issued == [settings.mongodb_database, databases.name_for(other)]
    # A process reads the same settings from its environment.
    for name, value in databases.environment(first).items():
        monkeypatch.setenv(name, value)
    from_environment = Settings(_env_file=None, data_dir=first)
    assert from_environment.mongodb_database == settings.mongodb_database
    assert from_environment.mongodb_url == settings.mongodb_url
    # The embedded store's own tests, and a run without a server, keep the embedded store.
    databases.embedded_only = True
    assert databases.settings(first) == {} and databases.environment(first) == {}
    assert real_mongodb.ServerDatabases(None).settings(first) == {}


def test_driver_commands_are_read_as_the_queries_they_carry() -> None:
    """On a real server the recorder reads the commands pymongo sends (tests/index_coverage.py)."""
    count = [{"$match": {"owner_id": 1}}, {"$group": {"_id": 1, "n": {"$sum": 1}}}]
    find = {"find": "photos", "filter": {"tags": "sea"}, "sort": {"_id": -1}}
    assert queries_of("find", find) == [("photos", {"tags": "sea"}, [("_id", -1)], "find")]
    assert queries_of("aggregate", {"aggregate": "photos", "pipeline": count}) == [
        ("photos", {"owner_id": 1}, None, "count")
    ]
    tags = [{"$match": {"name": {"$regex": "^bo"}}}, {"$sort": {"photos_count": -1}}]
    assert queries_of("aggregate", {"aggregate": "tags", "pipeline": tags})[0][3] == "aggregate"
    updates = {"update": "photos", "updates": [{"q": {"_id": 7}, "u": {"$inc": {"n": 1}}}]}
    assert queries_of("update", updates) == [("photos", {"_id": 7}, None, "update")]
    deletes = {"delete": "tags", "deletes": [{"q": {"photos_count": {"$lte": 0}}, "limit": 0}]}
    assert queries_of("delete", deletes) == [
        ("tags", {"photos_count": {"$lte": 0}}, None, "delete")
    ]
    modify = {"findAndModify": "tokens", "query": {"jti": "x"}, "sort": {"created_at": 1}}
    assert queries_of("findAndModify", modify) == [
        ("tokens", {"jti": "x"}, [("created_at", 1)], "find_and_modify")
    ]
    assert queries_of("ping", {"ping": 1}) == []
    assert queries_of("aggregate", {"aggregate": 1, "pipeline": []}) == []
