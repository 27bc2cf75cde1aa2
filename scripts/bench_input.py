"""Benchmark what the v1.1 input rules cost: JSON number checks, text checks, the migration.

What it measures, in process (no server):

1. ``finite_json.non_finite_number`` on three JSON bodies (a comment, a ten-operation
   transformation, a 1 MB array of numbers), beside ``json.loads`` of the same body, which
   FastAPI runs anyway: the check reads every JSON body a second time;
2. the ``MULTI_LINE`` check and ``fold`` on a 2,000-character description (the longest
   accepted), per call;
3. the startup migration (``migrations.migrate``) on an embedded store holding v1.0 data:
   ``--photos`` photos whose tags and terms were lower-cased, not folded (half of them
   with non-ASCII words), and ``--photos // 5`` accounts with non-ASCII email keys; then a
   second startup, which finds the migration recorded and does nothing.

Run it from the repository root::

    .venv/bin/python scripts/bench_input.py [--photos 5000]

The exit code is 0 (this is a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asgi_lifespan import LifespanManager
from bson import ObjectId

from photoshare.app import create_app
from photoshare.config import Settings
from photoshare.db import collection
from photoshare.finite_json import non_finite_number
from photoshare.migrations import FOLDED_TEXT
from photoshare.photos.models import Photo
from photoshare.text import fold, multi_line
from photoshare.users.models import SiteClaim, User


def per_call_us(function: Callable[[], Any]) -> float:
    """Microseconds per call, from the best of three batches of at least 0.2 s each."""
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=3, number=number)) / number * 1e6


def bench_json() -> None:
    operations = [{"op": "resize", "width": 300, "height": 300, "crop": "fill"}] * 10
    bodies = {
        "comment (40 B)": json.dumps({"text": "Lovely light on the harbour!"}).encode(),
        "transformation, 10 ops": json.dumps({"transformation": operations}).encode(),
        "1 MB array of numbers": json.dumps([i * 1.5 for i in range(90_000)]).encode(),
    }
    print("JSON number check (per body; json.loads of the same body for scale)")
    for name, body in bodies.items():
        check = per_call_us(lambda body=body: non_finite_number(body))
        parse = per_call_us(lambda body=body: json.loads(body))
        print(
            f"  {name:<24} {len(body):>9,} B  check {check:>10.1f} us  json.loads {parse:>10.1f} us"
        )


def bench_text() -> None:
    description = ("Harbour at dusk, boats resting on still water.\n" * 43)[:2000]
    print("Text rules on a 2,000-character description (per call)")
    print(f"  MULTI_LINE check  {per_call_us(lambda: multi_line(description)):8.1f} us")
    print(f"  fold (NFKC+case)  {per_call_us(lambda: fold(description)):8.1f} us")


def _legacy_photo(i: int, owner: ObjectId) -> dict[str, Any]:
    words = ["straße", "café", f"w{i}"] if i % 2 else ["harbour", "boats", f"w{i}"]
    tags = ["straße"] if i % 2 else ["sea"]
    now = datetime.now(UTC)
    return {
        "owner_id": owner,
        "description": " ".join(words),
        "tags": tags,
        "search_terms": [*words, *tags, *(f"tag:{t}" for t in tags)],
        "storage_key": f"photos/{i}.jpg",
        "width": 64,
        "height": 48,
        "format": "jpeg",
        "bytes": 660,
        "content_hash": f"{i:064x}",
        "created_at": now,
        "updated_at": now,
    }


async def _start_and_stop(settings: Settings) -> float:
    started = time.perf_counter()
    async with LifespanManager(create_app(settings), startup_timeout=600):
        elapsed = time.perf_counter() - started
    return elapsed


async def bench_migration(photos: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp) / "data")  # type: ignore[call-arg]
        async with LifespanManager(create_app(settings)):
            owner = ObjectId()
            await collection(Photo).insert_many([_legacy_photo(i, owner) for i in range(photos)])
            accounts = [
                {"username": f"u{i}", "username_key": f"u{i}", "email": f"Straße{i}@example.com"}
                for i in range(photos // 5)
            ]
            for account in accounts:
                account.update(email_key=account["email"].lower(), password_hash="-")  # noqa: S106
            await collection(User).insert_many(accounts)
            await collection(SiteClaim).delete_one({"_id": FOLDED_TEXT})
        print(f"Startup migration, {photos:,} v1.0 photos and {photos // 5:,} accounts")
        print(f"  first startup (migrates)        {await _start_and_stop(settings):8.2f} s")
        print(f"  second startup (recorded, skips) {await _start_and_stop(settings):8.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=5000)
    args = parser.parse_args()
    bench_json()
    bench_text()
    asyncio.run(bench_migration(args.photos))


if __name__ == "__main__":
    main()
