"""Benchmark the embedded store's journal: what a write costs, how a large store starts.

1. The journal's cost, in the process, on mongomock: comment writes (``$push`` and
   ``$inc`` by ``_id`` on a photo already holding 500 comments) and photo inserts,
   without the journal, with it (``synchronous=NORMAL``, the default) and with
   ``PHOTOSHARE_JOURNAL_FSYNC`` (``FULL``): writes/s and journal bytes per write.
2. Through the API: comments/s from 4 clients on ``photoshare serve`` (journaled).
3. Stores of 1,000 and 10,000 photos (copies of a photo uploaded through the API, with
   comments, 200 accounts) left with a 10,000-entry journal, as after a crash:
   loading and replaying in the process, the start of ``photoshare serve`` until
   ``/healthz`` answers, its clean stop (a compaction) and the snapshot's size.

Run it from the repository root::

    .venv/bin/python scripts/bench_journal.py [--writes 5000] [--photos 1000 10000]

The exit code is 0 when it ran; non-zero when setup fails.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import random
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bson
import httpx
import mongomock
import pyvips
from benchlib import (
    BenchError,
    expect,
    free_port,
    in_parallel,
    log_tail,
    run_in_temp_dir,
    running_server,
    sign_up,
    start_server,
    stop_server,
)
from bson import ObjectId, json_util

from photoshare import commands
from photoshare.config import Settings
from photoshare.embedded import mongo
from photoshare.embedded import mongo_snapshot as snapshot
from photoshare.embedded.journal import open_file

PROG = "bench_journal"
UNBOUNDED = {"journal_max_entries": 10**9, "journal_max_bytes": 10**12}
ACCOUNTS = 200
JOURNAL_ENTRIES = 10_000
STARTUP_TIMEOUT_S = 900.0
WORDS = [
    *("harbour", "morning", "light", "river", "fog", "street"),
    *("market", "pine", "snow", "desert", "lake", "storm"),
]


def _settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": data_dir, "log_level": "warning"}
    values.update(argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]


def _comment(rng: random.Random, author: Any) -> dict[str, Any]:
    text = " ".join(rng.choices(WORDS, k=12))
    now = datetime.now(UTC)
    return {"id": str(ObjectId()), "author_id": author, "text": text, "created_at": now}


# --- 1. the journal's cost -----------------------------------------------------------


def _store(data_dir: Path, journaled: bool, fsync: bool) -> tuple[Any, Any]:
    database = mongomock.MongoClient(tz_aware=True)["photoshare"]
    if not journaled:
        return database, None
    data_dir.mkdir(parents=True)
    return database, mongo.open_store(
        database, _settings(data_dir, journal_fsync=fsync, **UNBOUNDED)
    )


def _rate(writes: int, run: Any) -> float:
    started = time.perf_counter()
    for n in range(writes):
        run(n)
    return writes / (time.perf_counter() - started)


def _write_rates(photos: Any, photo: dict[str, Any], count: int) -> tuple[float, float]:
    """Comment-like updates by _id (five comments kept) and photo inserts, per second."""
    target = {**copy.deepcopy(photo), "_id": ObjectId()}
    photos.insert_one(target)
    comment = _comment(random.Random(2), photo["owner_id"])  # noqa: S311 - sample data
    push = {
        "$push": {"comments": {"$each": [comment], "$slice": -5}},
        "$inc": {"comments_count": 1},
    }
    started = time.perf_counter()
    for _ in range(count):
        photos.update_one({"_id": target["_id"]}, push)
    updates = count / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(count):
        photos.insert_one({**photo, "_id": ObjectId()})
    return updates, count / (time.perf_counter() - started)


def journal_cost(tmp: Path, photo: dict[str, Any], writes: int) -> None:
    print(
        f"\n1. the journal's cost in the process ({writes:,} writes of each kind; fsync: a tenth)"
    )
    for label, journaled, fsync in (
        ("no journal", False, False),
        ("journal (default, NORMAL)", True, False),
        ("journal with fsync (FULL)", True, True),
    ):
        database, journal = _store(tmp / f"{journaled}-{fsync}", journaled, fsync)
        updates, inserts = _write_rates(
            database["photos"], photo, writes // 10 if fsync else writes
        )
        print(f"  {label:27} updates {updates:8,.0f}/s   inserts {inserts:8,.0f}/s")
        if journal is not None:
            journal.detach()
            journal.file.close()
    # The entry is the update, not the document: its size does not grow with the photo.
    database, journal = _store(tmp / "sizes", True, False)
    rng = random.Random(3)  # noqa: S311 - sample data
    big = {**copy.deepcopy(photo), "_id": ObjectId()}
    big["comments"] = [_comment(rng, photo["owner_id"]) for _ in range(500)]
    database["photos"].insert_one(big)
    before = journal.file.bytes
    push = {"$push": {"comments": _comment(rng, photo["owner_id"])}, "$inc": {"comments_count": 1}}
    database["photos"].update_one({"_id": big["_id"]}, push)
    print(
        f"  journal entry of a comment on a photo holding 500: {journal.file.bytes - before} bytes "
        f"(the photo: {len(bson.encode(big)):,} bytes); a photo insert: "
        f"{len(bson.encode(photo)) + 30} bytes or so"
    )
    journal.detach()
    journal.file.close()


# --- 2. through the API --------------------------------------------------------------


async def _api_comments(base_url: str, total: int) -> float:
    """Comments per second from 4 clients, spread over 20 photos."""
    accounts = await sign_up(base_url, [f"writer{n}" for n in range(4)])
    jpeg = bytes(pyvips.Image.black(64, 48, bands=3).jpegsave_buffer())
    async with httpx.AsyncClient(base_url=base_url, timeout=60.0) as client:
        urls = []
        for _ in range(20):
            files = {"file": ("p.jpg", jpeg, "image/jpeg")}
            upload = await client.post("/api/v1/photos", files=files, headers=accounts[0].headers)
            urls.append(f"/api/v1/photos/{expect(upload, 201, 'upload')['id']}/comments")

        async def comment(n: int) -> None:
            author, url = accounts[n % 4], urls[n % 20]
            response = await client.post(url, json={"text": f"note {n}"}, headers=author.headers)
            expect(response, 201, "comment")

        started = time.perf_counter()
        await in_parallel(list(range(total)), comment, concurrency=4)
        return total / (time.perf_counter() - started)


# --- 3. a large store ----------------------------------------------------------------


async def _template(tmp: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """A photo (with a comment and a rating) and an account, as the service stores them."""
    async with commands.running(_settings(tmp / "template")) as (client, runtime):
        for name in ("owner", "reader"):
            account = {"username": name, "email": f"{name}@example.com", "password": "p" * 12}
            expect(await client.post("/api/v1/auth/signup", json=account), 201, "signup")
        tokens = {}
        for name in ("owner", "reader"):
            login = await client.post(
                "/api/v1/auth/login", data={"username": name, "password": "p" * 12}
            )
            tokens[name] = {
                "Authorization": f"Bearer {expect(login, 200, 'login')['access_token']}"
            }
        jpeg = bytes(pyvips.Image.black(64, 48, bands=3).jpegsave_buffer())
        data = {"description": "Morning fog over the river by the old harbour", "tags": "fog,river"}
        files = {"file": ("p.jpg", jpeg, "image/jpeg")}
        photo = expect(
            await client.post("/api/v1/photos", files=files, data=data, headers=tokens["owner"]),
            201,
            "upload",
        )
        url = f"/api/v1/photos/{photo['id']}"
        await client.post(
            f"{url}/comments", json={"text": "Lovely light!"}, headers=tokens["reader"]
        )
        await client.post(f"{url}/ratings", json={"stars": 4}, headers=tokens["reader"])
        database = runtime.db.database.delegate
        return database["photos"].find_one({}), database["users"].find_one({"username": "reader"})


def build_store(data_dir: Path, photo: dict[str, Any], user: dict[str, Any], photos: int) -> None:
    """A data dir of ``photos`` photos in the snapshot and JOURNAL_ENTRIES entries after it."""
    rng = random.Random(photos)  # noqa: S311 - sample data
    data_dir.mkdir(parents=True)
    database = mongomock.MongoClient(tz_aware=True)["photoshare"]
    journal = mongo.open_store(database, _settings(data_dir, **UNBOUNDED))
    accounts = []
    for n in range(ACCOUNTS):
        name = f"user{n}"
        accounts.append(
            {
                **user,
                "_id": ObjectId(),
                "username": name,
                "username_key": name,
                "email": f"{name}@example.com",
                "email_key": f"{name}@example.com",
            }
        )
    database["users"].insert_many(accounts)
    batch = []
    for n in range(photos):
        copy_ = {**copy.deepcopy(photo), "_id": ObjectId(), "owner_id": rng.choice(accounts)["_id"]}
        copy_["description"] = " ".join(rng.sample(WORDS, 6)).capitalize()
        batch.append(copy_)
        if len(batch) == 1000 or n == photos - 1:
            database["photos"].insert_many(batch)
            batch = []
    journal.compact()
    photo_ids = [doc["_id"] for doc in database["photos"].find({}, {"_id": 1})]
    for _ in range(JOURNAL_ENTRIES // 2):
        author = rng.choice(accounts)["_id"]
        push = {"$push": {"comments": _comment(rng, author)}, "$inc": {"comments_count": 1}}
        database["photos"].update_one({"_id": rng.choice(photo_ids)}, push)
        database["users"].update_one({"_id": author}, {"$inc": {"comments_written": 1}})
    journal.detach()
    journal.file.close()  # as a killed process leaves it: nothing compacted


def load_in_process(data_dir: Path) -> None:
    image = data_dir.parent / f"{data_dir.name}-image"
    shutil.copytree(data_dir, image)
    started = time.perf_counter()
    file = open_file(_settings(image), mongo.STORE_FILE)
    contents = file.read()
    read = time.perf_counter()
    database = mongomock.MongoClient(tz_aware=True)["photoshare"]
    documents = snapshot.load(database, contents.snapshot)
    loaded = time.perf_counter()
    snapshot.replay(database, contents.journal)
    replayed = time.perf_counter()
    journal = mongo.MongoJournal(file, database)
    journal.compact()
    compacted = time.perf_counter()
    size = sum(
        len(json_util.dumps(doc))
        for name in database.list_collection_names()
        for doc in database[name].find({})
    )
    file.close()
    snapshot_mb = (image / mongo.STORE_FILE).stat().st_size / 1e6
    print(
        f"  in the process: read the file {read - started:.2f} s, load {documents:,} "
        f"documents {loaded - read:.2f} s, replay {len(contents.journal):,} entries "
        f"{replayed - loaded:.2f} s; a compaction (the event loop waits) "
        f"{compacted - replayed:.2f} s"
    )
    print(
        f"  snapshot: {mongo.STORE_FILE} {snapshot_mb:.1f} MB; the same data as Extended JSON "
        f"(the old mongo.json) {size / 1e6:.1f} MB"
    )


@contextmanager
def _serving(data_dir: Path) -> Iterator[float]:
    """``photoshare serve`` on ``data_dir``; yields how long /healthz took to answer.

    A large journal takes a while to replay, so this waits up to STARTUP_TIMEOUT_S
    rather than benchlib's usual 30 s.
    """
    port = free_port()
    with (data_dir / "server.log").open("wb") as log:
        started = time.perf_counter()
        process = start_server(data_dir, port, log)
        try:
            deadline = started + STARTUP_TIMEOUT_S
            while not _healthy(port):
                if process.poll() is not None or time.perf_counter() > deadline:
                    raise BenchError(
                        f"the server did not start:\n{log_tail(data_dir / 'server.log')}"
                    )
                time.sleep(0.1)
            yield time.perf_counter() - started
        finally:
            stop_server(process, PROG)


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def serve_large_store(data_dir: Path) -> None:
    with _serving(data_dir) as up:
        stopping = time.perf_counter()
    stopped = time.perf_counter() - stopping
    log = (data_dir / "server.log").read_text().splitlines()
    replayed = [line.split(": ", 1)[-1] for line in log if "journal entries replayed" in line]
    print(f"  photoshare serve: /healthz after {up:.2f} s ({replayed[-1] if replayed else '?'})")
    size = (data_dir / mongo.STORE_FILE).stat().st_size
    print(f"  clean stop (a compaction) {stopped:.2f} s; {mongo.STORE_FILE}: {size / 1e6:.1f} MB")
    with _serving(data_dir) as up:
        print(f"  restart from that snapshot: /healthz after {up:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=5000)
    parser.add_argument("--photos", type=int, nargs="+", default=[1000, 10_000])
    args = parser.parse_args()

    def work(tmp: Path) -> int:
        photo, user = asyncio.run(_template(tmp))
        journal_cost(tmp / "cost", photo, args.writes)
        print("\n2. through the API (photoshare serve, journaled, 4 clients, 20 photos)")
        (tmp / "api").mkdir()
        with running_server(tmp / "api", PROG) as server:
            rate = asyncio.run(_api_comments(server.base_url, 1000))
        print(f"  comments {rate:,.0f}/s")
        for photos in args.photos:
            print(
                f"\n3. {photos:,} photos, {ACCOUNTS} accounts, a {JOURNAL_ENTRIES:,}-entry journal"
            )
            data_dir = tmp / f"store-{photos}"
            build_store(data_dir, photo, user, photos)
            load_in_process(data_dir)
            serve_large_store(data_dir)
        return 0

    return run_in_temp_dir(PROG, work)


if __name__ == "__main__":
    sys.exit(main())
