"""Benchmark the embedded store as it grows: read rates as a share of ``/healthz``.

At each size (1,000, 2,000 and 10,000 photos by default) it runs, with
``wrk -t1 -c4`` (four concurrent clients) for ``--duration`` seconds a run against one
server worker, ``--rounds`` runs of each of:

1. ``GET /healthz``, the service's own ceiling, before the first run and after each
   (a run's share is of the mean of the /healthz runs just before and after it, and the
   median run is shown: the machine may be shared);
2. ``GET /api/v1/photos/{id}``, a photo with 50 comments and 20 ratings;
3. ``GET /api/v1/photos?tag=sea`` (a tag on about a tenth of the photos);
4. ``GET /api/v1/photos?q=harbour`` (a word in about an eighth of the descriptions);
5. ``GET /api/v1/users/bench``, the profile of the account that owns 85% of the photos;

and prints each rate, its p50 and p99 latency and its share of ``/healthz``, with the
targets at 2,000 photos: photo page >= 40%, tag and keyword search >= 10%, profile >= 20%.

The server runs as in the other benchmarks (``benchlib.running_server``: embedded mode,
fresh data dir). The store is seeded through the API as in ``bench_api.py`` (the same
vocabulary and seeded RNG, a tiny JPEG per upload) and grows from one size to the next
on the same server; the server's resident memory is printed at each size.

Run it from the repository root::

    .venv/bin/python scripts/bench_store.py [--sizes 1000,2000,10000] [--duration 3] [--rounds 3]

The exit code is 0 whether or not the targets are met (this is a benchmark, not a
test); it is non-zero when the server does not start or a request fails.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import bench_api
import httpx
from bench_api import COMMENTS, IMAGE_HEIGHT, IMAGE_WIDTH, QUERY, RATERS, TAG, TAGS, WORDS
from benchlib import (
    USERNAME,
    Account,
    Load,
    build_jpeg,
    expect,
    in_parallel,
    read_status_kb,
    require_wrk,
    run_in_temp_dir,
    run_wrk,
    running_server,
    sentence,
    sign_up,
    tag_list,
    verdict,
    warn_about_dotenv,
)

PROG = "bench_store"
SEED = 1200
MAIN_SHARE = 0.85
CLIENTS = 6
WRK_THREADS = 1
WRK_CONNECTIONS = 4
WRK_TIMEOUT_S = 30
TARGET_SIZE = 2000
# Share of /healthz each endpoint is to reach at TARGET_SIZE photos.
TARGETS = {"photo": 0.40, "tag": 0.10, "keyword": 0.10, "profile": 0.20}


@dataclass
class Store:
    """What has been seeded so far."""

    main: Account
    others: list[Account]
    target_id: str
    photos: int = 0
    main_photos: int = 0


async def _upload(
    client: httpx.AsyncClient, jpeg: bytes, owner: Account, rng: random.Random
) -> str:
    response = await client.post(
        "/api/v1/photos",
        files={"file": ("seed.jpg", jpeg, "image/jpeg")},
        data={"description": sentence(rng, WORDS, 5, 8), "tags": tag_list(rng, TAGS)},
        headers=owner.headers,
    )
    return str(expect(response, 201, "an upload")["id"])


async def start(base_url: str, rng: random.Random, jpeg: bytes) -> Store:
    """Sign up the accounts; upload the target photo, comment on it and rate it."""
    accounts = await sign_up(base_url, [USERNAME] + [f"rater{n:02d}" for n in range(RATERS)])
    main, raters = accounts[0], accounts[1:]
    async with httpx.AsyncClient(base_url=base_url, timeout=60.0) as client:
        target = await _upload(client, jpeg, main, rng)

        async def comment(number: int) -> None:
            text = f"{sentence(rng, WORDS, 4, 8)} (comment {number + 1})"
            author = raters[number % len(raters)]
            response = await client.post(
                f"/api/v1/photos/{target}/comments", json={"text": text}, headers=author.headers
            )
            expect(response, 201, "a comment")

        async def rate(rater: Account) -> None:
            stars = rng.randint(1, 5)
            response = await client.post(
                f"/api/v1/photos/{target}/ratings", json={"stars": stars}, headers=rater.headers
            )
            expect(response, 201, "a rating")

        await in_parallel(range(COMMENTS), comment, CLIENTS)
        await in_parallel(raters, rate, CLIENTS)
    return Store(main, raters[: bench_api.OTHER_OWNERS], target, photos=1, main_photos=1)


async def grow(base_url: str, store: Store, size: int, rng: random.Random, jpeg: bytes) -> float:
    """Upload photos until the store holds ``size``; the seconds it took."""
    owners = [
        store.main if rng.random() < MAIN_SHARE else rng.choice(store.others)
        for _ in range(size - store.photos)
    ]
    began = time.perf_counter()
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base_url, timeout=60.0, limits=limits) as client:
        await in_parallel(owners, lambda owner: _upload(client, jpeg, owner, rng), CLIENTS)
    store.photos = size
    store.main_photos += sum(owner is store.main for owner in owners)
    return time.perf_counter() - began


@dataclass(frozen=True)
class Endpoint:
    name: str
    label: str
    url: str


def endpoints(base_url: str, store: Store) -> list[Endpoint]:
    api = f"{base_url}/api/v1"
    return [
        Endpoint(
            "photo", f"photo page ({COMMENTS}c, {RATERS}r)", f"{api}/photos/{store.target_id}"
        ),
        Endpoint("tag", f"tag search ?tag={TAG}", f"{api}/photos?{urlencode({'tag': TAG})}"),
        Endpoint("keyword", f"keyword ?q={QUERY}", f"{api}/photos?{urlencode({'q': QUERY})}"),
        Endpoint("profile", f"profile /users/{USERNAME}", f"{api}/users/{store.main.username}"),
    ]


def check(endpoint: Endpoint, store: Store) -> str:
    """Fetch the URL once; say what it answered, or raise if it is not the expected data."""
    response = httpx.get(endpoint.url, timeout=60.0)
    if endpoint.name == "photo":
        return bench_api.check_photo(response)
    if endpoint.name == "profile":
        return bench_api.profile_check(store.main_photos)(response)
    return bench_api.check_page(response)


def load(wrk: str, url: str, duration: int) -> Load:
    return run_wrk(
        wrk, url, duration, WRK_THREADS, WRK_CONNECTIONS, WRK_TIMEOUT_S, latency_required=True
    )


def measure(wrk: str, base_url: str, store: Store, rounds: int, duration: int) -> None:
    """Run wrk on each endpoint ``rounds`` times, with /healthz before and after each run;
    print the median rate and median share of /healthz of each endpoint."""
    api = endpoints(base_url, store)
    for endpoint in api:
        print(f"  check {endpoint.label}: {check(endpoint, store)}")
    healthz = load(wrk, f"{base_url}/healthz", duration)
    ceilings: list[float] = [healthz.requests_per_s]
    runs: dict[str, list[tuple[Load, float]]] = {endpoint.name: [] for endpoint in api}
    for _ in range(rounds):
        for endpoint in api:
            figures = load(wrk, endpoint.url, duration)
            before, healthz = healthz, load(wrk, f"{base_url}/healthz", duration)
            ceilings.append(healthz.requests_per_s)
            # Its share of the /healthz rate measured just before and just after it.
            mean = (before.requests_per_s + healthz.requests_per_s) / 2
            runs[endpoint.name].append((figures, figures.requests_per_s / mean))
    print(
        f"  /healthz: {statistics.median(ceilings):.0f} req/s median "
        f"({min(ceilings):.0f}-{max(ceilings):.0f} over {len(ceilings)} runs)"
    )
    print(f"  {'endpoint':<28} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'of /healthz':>12}")
    for endpoint in api:
        figures, share = _median_run(runs[endpoint.name])
        target = ""
        if store.photos == TARGET_SIZE:
            goal = TARGETS[endpoint.name]
            met = share >= goal and not any(run.bad_status for run, _ in runs[endpoint.name])
            target = f"  target >= {goal:.0%}: {verdict(met)}"
        shares = "/".join(f"{run_share:.0%}" for _, run_share in runs[endpoint.name])
        print(
            f"  {endpoint.label:<28} {figures.requests_per_s:>7.0f} {figures.p50_ms:>7.1f} "
            f"{figures.p99_ms:>7.1f} {share:>12.0%}{target} (runs: {shares})"
        )


def _median_run(runs: list[tuple[Load, float]]) -> tuple[Load, float]:
    """The run with the median share (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda run: run[1])
    return ordered[(len(ordered) - 1) // 2]


def bench(args: argparse.Namespace, wrk: str, tmp: Path) -> int:
    data_dir = tmp / "data"
    data_dir.mkdir()
    rng = random.Random(SEED)  # noqa: S311 - sample data, not secrets
    jpeg = build_jpeg(IMAGE_WIDTH, IMAGE_HEIGHT)
    with running_server(data_dir, PROG) as server:
        store = asyncio.run(start(server.base_url, rng, jpeg))
        print(
            f"{PROG}: embedded store, 1 worker; wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} "
            f"-d{args.duration}s, {args.rounds} runs per endpoint"
        )
        for size in args.sizes:
            seconds = asyncio.run(grow(server.base_url, store, size, rng, jpeg))
            rss_mb = (read_status_kb(server.pid, "VmRSS") or 0) / 1024
            print(
                f"{size} photos ({store.main_photos} by {USERNAME}; seeded in {seconds:.0f} s), "
                f"server RSS {rss_mb:.0f} MB"
            )
            measure(wrk, server.base_url, store, args.rounds, args.duration)
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        default="1000,2000,10000",
        help="photo counts to measure at, increasing (1000,2000,10000)",
    )
    parser.add_argument("--duration", type=int, default=3, help="seconds per wrk run (3)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per endpoint (3)")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(size) for size in args.sizes.split(",")]
    except ValueError:
        parser.error("--sizes is a comma-separated list of photo counts")
    if args.sizes != sorted(set(args.sizes)) or args.sizes[0] < 2:
        parser.error("--sizes must increase from 2 up")
    if args.duration < 1 or args.rounds < 1:
        parser.error("--duration and --rounds must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    warn_about_dotenv(PROG)
    wrk = require_wrk(PROG)
    if wrk is None:
        return 1
    return run_in_temp_dir(PROG, lambda tmp: bench(args, wrk, tmp))


if __name__ == "__main__":
    raise SystemExit(main())
