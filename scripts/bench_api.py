"""Benchmark PhotoShare's read API on a store of 1,000 photos (embedded unless set).

What it measures, with ``wrk -t2 -c16 -d8s --timeout 30s --latency`` on one server worker:
requests per second, p50 and p99 latency of

1. ``GET /api/v1/photos/{id}`` for a photo with 50 comments and 20 ratings;
2. ``GET /api/v1/photos?tag=sea`` (a tag carried by about a tenth of the photos);
3. ``GET /api/v1/photos?q=harbour`` (a word in about an eighth of the descriptions);
4. ``GET /api/v1/users/bench``, the profile of the account that owns most photos;

and, as the ceiling, a bare FastAPI ``/hello`` endpoint in its own uvicorn process
(``python -m uvicorn hello:app``), run with uvicorn's defaults like ``photoshare serve``:
access log on (it goes to a file, as the server's does) and proxy headers off.
Each endpoint's figures are also shown as a fraction of the ceiling's.

The server runs as in the other benchmarks (see ``benchlib.py``): ``photoshare serve`` on
a free 127.0.0.1 port, fresh data dir, embedded mode (in-process store, local files);
with ``PHOTOSHARE_MONGODB_URL`` (and ``PHOTOSHARE_REDIS_URL``) set, on those servers, on
a throwaway database. The report names the store it measured.
The store is seeded through the API with a tiny 64x48 JPEG per upload, by a few
concurrent clients: most photos belong to ``bench``, the rest to three other accounts;
descriptions are 5-8 words of a 50-word vocabulary and tags 1-3 of 20 (seeded RNG).
Twenty more accounts then write 50 comments on one of bench's photos and rate it.
Each URL is fetched once before wrk runs, to show that it answers with data.

Run it from the repository root::

    .venv/bin/python scripts/bench_api.py [--photos 1000] [--duration 8]

The exit code is 0 whether or not the targets are met (this is a benchmark, not a
test); it is non-zero when a server does not start or a setup request fails.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import benchlib
import httpx
from benchlib import (
    USERNAME,
    Account,
    BenchError,
    Load,
    build_jpeg,
    free_port,
    in_parallel,
    log_tail,
    require_wrk,
    run_in_temp_dir,
    run_wrk,
    running_server,
    sentence,
    sign_up,
    stop_server,
    tag_list,
    verdict,
    wait_healthy,
    warn_about_dotenv,
)

PROG = "bench_api"
SEED = 1000
IMAGE_WIDTH, IMAGE_HEIGHT = 64, 48
MAIN_SHARE = 0.85  # of the photos, owned by the benchmark account
OTHER_OWNERS = 3  # the first raters own the rest
RATERS = 20
COMMENTS = 50
CLIENTS = 6
REQUEST_TIMEOUT_S = 60.0
WRK_THREADS = 2
WRK_CONNECTIONS = 16
# wrk drops requests slower than its timeout (2 s by default) from the latencies.
WRK_TIMEOUT_S = 30
PAGE_LIMIT = 20  # the API's default page size
TAG = "sea"
QUERY = "harbour"
TARGET_PHOTO_RPS = 500.0
TARGET_LIST_RPS = 200.0

# fmt: off
WORDS = [
    "harbour", "sunset", "morning", "light", "boat", "river", "mountain", "forest", "city",
    "street", "old", "quiet", "bright", "golden", "shadow", "window", "bridge", "tower",
    "garden", "flower", "winter", "summer", "autumn", "spring", "rain", "snow", "cloud", "sky",
    "blue", "green", "red", "market", "evening", "night", "lamp", "road", "field", "stone",
    "wall", "beach", "wave", "sand", "island", "lake", "cliff", "path", "dog", "child",
    "friend", "festival",
]
TAGS = [
    "sea", "travel", "portrait", "nature", "city", "night", "family", "food", "architecture",
    "street", "landscape", "animals", "sport", "winter", "summer", "monochrome", "macro",
    "friends", "art", "music",
]
# fmt: on

HELLO_APP = """from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
"""

# --- seeding ----------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    owner: Account
    description: str
    tags: str


@dataclass(frozen=True)
class Store:
    """What was seeded."""

    main: Account
    photo_ids: list[str]
    main_photos: int
    target_id: str
    accounts: int
    seconds: float
    measured: str = ""  # which database and Redis served it


def expect(response: httpx.Response, status: int, what: str) -> Any:
    """``benchlib.expect``, showing up to 1000 characters of an unexpected answer."""
    return benchlib.expect(response, status, what, shown=1000)


def plan_uploads(
    rng: random.Random, count: int, main: Account, others: list[Account]
) -> list[Upload]:
    """The photos to upload: the first and most by ``main``, descriptions and tags at random."""
    main_count = max(1, round(count * MAIN_SHARE))
    owners = [main] * main_count + [others[i % len(others)] for i in range(count - main_count)]
    rng.shuffle(owners)
    owners.remove(main)
    owners.insert(0, main)  # the commented and rated photo
    return [
        Upload(
            owner=owner,
            description=sentence(rng, WORDS, 5, 8),
            tags=tag_list(rng, TAGS),
        )
        for owner in owners
    ]


async def seed(base_url: str, photos: int) -> Store:
    """Sign up the accounts, upload the photos, comment on and rate the target photo."""
    rng = random.Random(SEED)  # noqa: S311 - sample data, not secrets
    jpeg = build_jpeg(IMAGE_WIDTH, IMAGE_HEIGHT)
    start = time.perf_counter()
    accounts = await sign_up(base_url, [USERNAME] + [f"rater{n:02d}" for n in range(RATERS)])
    main, raters = accounts[0], accounts[1:]
    uploads = plan_uploads(rng, photos, main, raters[:OTHER_OWNERS])
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(
        base_url=base_url, timeout=REQUEST_TIMEOUT_S, limits=limits
    ) as client:

        async def upload(spec: Upload) -> str:
            response = await client.post(
                "/api/v1/photos",
                files={"file": ("seed.jpg", jpeg, "image/jpeg")},
                data={"description": spec.description, "tags": spec.tags},
                headers=spec.owner.headers,
            )
            return str(expect(response, 201, "an upload")["id"])

        photo_ids = await in_parallel(uploads, upload, CLIENTS)
        target = photo_ids[0]

        async def comment(number: int) -> None:
            text = " ".join(rng.sample(WORDS, 6)).capitalize() + f" (comment {number + 1})"
            author = raters[number % len(raters)]
            response = await client.post(
                f"/api/v1/photos/{target}/comments", json={"text": text}, headers=author.headers
            )
            expect(response, 201, "a comment")

        async def rate(rater: Account) -> None:
            response = await client.post(
                f"/api/v1/photos/{target}/ratings",
                json={"stars": rng.randint(1, 5)},
                headers=rater.headers,
            )
            expect(response, 201, "a rating")

        await in_parallel(range(COMMENTS), comment, CLIENTS)
        await in_parallel(raters, rate, CLIENTS)
    main_photos = sum(spec.owner is main for spec in uploads)
    return Store(main, photo_ids, main_photos, target, len(accounts), time.perf_counter() - start)


# --- the endpoints ----------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    label: str
    url: str
    check: Callable[[httpx.Response], str]
    target_rps: float | None


def check_hello(response: httpx.Response) -> str:
    body = expect(response, 200, "hello")
    if body != {"hello": "world"}:
        raise BenchError(f"hello answered {body!r}")
    return f"{body}"


def check_photo(response: httpx.Response) -> str:
    body = expect(response, 200, "the photo")
    comments, ratings = body["comments_count"], body["rating"]["count"]
    if comments != COMMENTS or ratings != RATERS:
        raise BenchError(f"the photo has {comments} comments and {ratings} ratings")
    return (
        f"comments_count {comments}, rating {body['rating']['average']} x {ratings}, "
        f"{len(response.content)} bytes"
    )


def check_page(response: httpx.Response) -> str:
    body = expect(response, 200, "the search")
    total, items = body["total"], len(body["items"])
    if total == 0 or items != min(total, PAGE_LIMIT):
        raise BenchError(f"the search found {total} photos and returned {items}")
    return f"total {total}, {items} items, {len(response.content)} bytes"


def profile_check(expected_photos: int) -> Callable[[httpx.Response], str]:
    def check(response: httpx.Response) -> str:
        body = expect(response, 200, "the profile")
        if body["photos_count"] != expected_photos:
            raise BenchError(f"the profile counts {body['photos_count']} photos")
        return f"photos_count {body['photos_count']}, {len(response.content)} bytes"

    return check


def endpoints(base_url: str, store: Store) -> list[Endpoint]:
    api = f"{base_url}/api/v1"
    return [
        Endpoint(
            f"GET /photos/{{id}} ({COMMENTS}c, {RATERS}r)",
            f"{api}/photos/{store.target_id}",
            check_photo,
            TARGET_PHOTO_RPS,
        ),
        Endpoint(
            f"GET /photos?tag={TAG}",
            f"{api}/photos?{urlencode({'tag': TAG})}",
            check_page,
            TARGET_LIST_RPS,
        ),
        Endpoint(
            f"GET /photos?q={QUERY}",
            f"{api}/photos?{urlencode({'q': QUERY})}",
            check_page,
            TARGET_LIST_RPS,
        ),
        Endpoint(
            "GET /users/{username}",
            f"{api}/users/{store.main.username}",
            profile_check(store.main_photos),
            TARGET_LIST_RPS,
        ),
    ]


def check_once(endpoint: Endpoint) -> None:
    """Fetch the URL once and say what it returned; raise if it is not the expected data."""
    start = time.perf_counter()
    response = httpx.get(endpoint.url, timeout=REQUEST_TIMEOUT_S)
    elapsed_ms = (time.perf_counter() - start) * 1000
    summary = endpoint.check(response)
    print(
        f"check: GET {httpx.URL(endpoint.url).raw_path.decode()} -> {response.status_code}, "
        f"{summary} ({elapsed_ms:.0f} ms)"
    )


# --- the ceiling ------------------------------------------------------------------


@contextmanager
def hello_server(folder: Path) -> Iterator[str]:
    """Serve the bare FastAPI app with uvicorn's defaults; yield its /hello URL."""
    folder.mkdir()
    (folder / "hello.py").write_text(HELLO_APP)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # As ``photoshare serve``: access log on (to a file), proxy headers off.
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "hello:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-proxy-headers",
    ]
    log_path = folder / "hello.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=folder, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            try:
                wait_healthy(base_url, process, path="/hello")
            except BenchError as exc:
                raise BenchError(
                    f"hello server: {exc}\n--- its log ---\n{log_tail(log_path)}"
                ) from exc
            yield f"{base_url}/hello"
        finally:
            stop_server(process, PROG)


# --- wrk --------------------------------------------------------------------------


def wrk_load(wrk: str, url: str, duration_s: int) -> Load:
    """wrk's figures for ``url``; its p50 and p99 are always there."""
    return run_wrk(
        wrk, url, duration_s, WRK_THREADS, WRK_CONNECTIONS, WRK_TIMEOUT_S, latency_required=True
    )


# --- the run ----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    endpoint: Endpoint
    load: Load


def bench(args: argparse.Namespace, wrk: str, tmp: Path) -> tuple[Store, Row, list[Row]]:
    data_dir = tmp / "data"
    data_dir.mkdir()
    with running_server(data_dir, PROG) as server:
        store = replace(asyncio.run(seed(server.base_url, args.photos)), measured=server.store)
        others = len(store.photo_ids) - store.main_photos
        print(
            f"seeded {len(store.photo_ids)} photos ({store.main_photos} by {store.main.username}, "
            f"{others} by {OTHER_OWNERS} others), {store.accounts} accounts, {COMMENTS} comments "
            f"and {RATERS} ratings on {store.target_id} in {store.seconds:.1f} s "
            f"({len(store.photo_ids) / store.seconds:.0f} photos/s incl. sign-ups)"
        )
        with hello_server(tmp / "hello") as hello_url:
            hello = Endpoint("hello (bare FastAPI ceiling)", hello_url, check_hello, None)
            check_once(hello)
            ceiling = Row(hello, wrk_load(wrk, hello.url, args.duration))
        api = endpoints(server.base_url, store)
        for endpoint in api:
            check_once(endpoint)
        rows = [Row(endpoint, wrk_load(wrk, endpoint.url, args.duration)) for endpoint in api]
    return store, ceiling, rows


def report(args: argparse.Namespace, store: Store, ceiling: Row, rows: list[Row]) -> None:
    top = ceiling.load.requests_per_s
    print(
        "(the hello server runs with uvicorn's defaults like photoshare serve: access log on, "
        "to a file; proxy headers off)"
    )
    for row in [ceiling, *rows]:
        print(
            f"(wrk {row.endpoint.label}: {row.load.requests} requests, "
            f"socket errors: {row.load.socket_errors})"
        )
    print(
        f"{PROG}: {store.measured}, {len(store.photo_ids)} photos, 1 worker; "
        f"wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{args.duration}s --timeout {WRK_TIMEOUT_S}s"
    )
    print(f"{'endpoint':<32} {'req/s':>6}   {'p50 ms':>6}   {'p99 ms':>6}   of ceiling   non-2xx")
    for row in [ceiling, *rows]:
        load = row.load
        print(
            f"{row.endpoint.label:<32} {load.requests_per_s:>6.0f}   {load.p50_ms:>6.1f}   "
            f"{load.p99_ms:>6.1f}   {load.requests_per_s / top:>10.0%}   {load.bad_status:>7}"
        )
    photo, lists = rows[0], rows[1:]
    print(
        f"targets: photo >= {TARGET_PHOTO_RPS:.0f} req/s: {verdict(meets(photo))}; "
        f"tag/q/profile >= {TARGET_LIST_RPS:.0f} req/s: {verdict(all(map(meets, lists)))}"
        + misses(lists)
    )


def meets(row: Row) -> bool:
    target = row.endpoint.target_rps or 0.0
    return row.load.requests_per_s >= target and row.load.bad_status == 0


def misses(rows: list[Row]) -> str:
    missed = [
        f"{row.endpoint.label} {row.load.requests_per_s:.0f}" for row in rows if not meets(row)
    ]
    return f" ({', '.join(missed)})" if missed else ""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--photos", type=int, default=1000, help="photos in the store (1000)")
    parser.add_argument("--duration", type=int, default=8, help="seconds of wrk per URL (8)")
    args = parser.parse_args(argv)
    if args.photos < 1 or args.duration < 1:
        parser.error("--photos and --duration must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    warn_about_dotenv(PROG)
    wrk = require_wrk(PROG)
    if wrk is None:
        return 1

    def run(tmp: Path) -> int:
        store, ceiling, rows = bench(args, wrk, tmp)
        report(args, store, ceiling, rows)
        return 0

    return run_in_temp_dir(PROG, run)


if __name__ == "__main__":
    raise SystemExit(main())
