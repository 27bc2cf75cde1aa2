"""Load-test PhotoShare with a mixed workload at a fixed request rate (open loop).

What it does: starts a throwaway ``redis-server`` and ``photoshare serve`` on free
127.0.0.1 ports (the app uses that Redis through ``PHOTOSHARE_REDIS_URL``), seeds accounts,
photos, comments, ratings and share links through the API, then sends requests on a timer
at ``--rate`` requests per second for ``--duration`` seconds, whether or not earlier ones
have been answered. The mix, by weight:

- 70% reads: ``GET /api/v1/photos/{id}``, ``GET /api/v1/photos?q=...`` and ``?tag=...``,
  ``GET /api/v1/photos/{id}/comments``, a share link's image ``GET /s/{slug}`` and its QR
  code ``GET /api/v1/links/{id}/qr``, ``GET /api/v1/users/{username}``;
- 20% writes: ``POST`` comments and ratings (each rating from a (user, photo) pair that
  has not rated yet; once those run out, an already-rated pair whose 409 is expected and
  counted apart, not as an error);
- 10% uploads of a 640x480 JPEG (built once with pyvips).

Modes: the embedded store lives inside one process, so the server runs 1 worker unless
``PHOTOSHARE_MONGODB_URL`` is set; then it runs 2 workers on a throwaway database of that
MongoDB server (dropped at the end), with a generated secret key and the public base URL
set to the local address.

Bounds: at most ``--max-in-flight`` requests in flight (a request due while the cap is
reached is not sent and is reported as shed), 10 s per request, ``--duration`` at most
600 s; every request goes to 127.0.0.1; the server and Redis are always stopped.

Figures: latency (of the answered requests) runs from the scheduled send time to the end
of the response, so a client that falls behind the timer shows up in it; throughput is the
responses received per second from the first scheduled request to the last response.
Errors are transport errors, timeouts and unexpected statuses; 5xx are also counted apart.

The default rate, 60 requests/s, is about a quarter of what one worker sustains on this
2-core machine: when it was otherwise idle, 180 requests/s for 30 s ran clean (the server
at 64% of a core, p99 35 ms) and 250 did not (the worker at 90-100% of a core; uploads
queue for seconds while reads stay fast, fill the in-flight cap and requests are shed). At
60 the server uses about 25% of a core and the load generator about 11%, which leaves room
for other jobs on the same cores; the "CPU wait" line shows when they took it.

Run it from the repository root::

    .venv/bin/python scripts/bench_load.py [--duration 60] [--rate 60] [--max-in-flight 64]

The exit code is 0 when the load ran, whatever its errors (they are printed); it is
non-zero when Redis or the server does not start or a setup request fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

import benchlib
import httpx
import pymongo
import redis
from benchlib import (
    Account,
    BenchError,
    Server,
    build_jpeg,
    cpu_seconds,
    expect,
    free_port,
    in_parallel,
    percentile,
    redis_server,
    run_in_temp_dir,
    run_queue_wait_s,
    running_server,
    sign_up,
    verdict,
    warn_about_dotenv,
)

PROG = "bench_load"
DEFAULT_RATE = 60.0
DEFAULT_DURATION_S = 60
MAX_DURATION_S = 600
MAX_RATE = 1000.0
DEFAULT_MAX_IN_FLIGHT = 64
REQUEST_TIMEOUT_S = 10.0
SETUP_TIMEOUT_S = 30.0
SEED = 2024

ACCOUNTS = 30
OWNERS = 5  # the first accounts own the seeded photos
PHOTOS = 50
COMMENTS_PER_PHOTO = 2
SEEDED_RATINGS = 100
LINK_PRESETS = ["square_thumbnail", "grayscale", "circle_avatar", "sepia_poster"]
SETUP_CLIENTS = 4
IMAGE_WIDTH, IMAGE_HEIGHT = 640, 480

# fmt: off
WORDS = [
    "harbour", "sunset", "morning", "light", "boat", "river", "mountain", "forest", "city",
    "street", "old", "quiet", "bright", "golden", "shadow", "window", "bridge", "tower",
    "garden", "flower", "winter", "summer", "rain", "snow", "cloud", "market", "evening",
    "beach", "island", "lake",
]
TAGS = [
    "sea", "travel", "portrait", "nature", "city", "night", "family", "food", "street",
    "landscape",
]
# fmt: on

MONGODB_MESSAGE = (
    "MongoDB is not configured: running 1 worker (the embedded store is per process); "
    "set PHOTOSHARE_MONGODB_URL for 2 workers"
)

Kind = Literal["read", "write", "upload"]
KINDS: tuple[Kind, ...] = ("read", "write", "upload")


# --- Redis --------------------------------------------------------------------------


def redis_commands(url: str) -> int | None:
    """How many commands the Redis server has processed since it started (None: unknown)."""
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        info: dict[str, Any] = client.info("stats")  # type: ignore[assignment]
        return int(info["total_commands_processed"])
    except redis.RedisError:
        return None
    finally:
        client.close()


# --- the server mode ----------------------------------------------------------------


@dataclass(frozen=True)
class Mode:
    """How the server runs: its workers, settings and a description for the report."""

    workers: int
    env: dict[str, str]
    description: str
    database: str | None = None  # the throwaway MongoDB database, dropped at the end


def choose_mode(redis_url: str, port: int) -> Mode:
    env = {"PHOTOSHARE_REDIS_URL": redis_url}
    mongodb_url = os.environ.get("PHOTOSHARE_MONGODB_URL")
    if not mongodb_url:
        print(MONGODB_MESSAGE)
        return Mode(1, env, f"embedded store, 1 worker, Redis server at {redis_url}")
    database = f"photoshare_load_{secrets.token_hex(4)}"
    env |= {
        "PHOTOSHARE_MONGODB_URL": mongodb_url,
        "PHOTOSHARE_MONGODB_DATABASE": database,
        "PHOTOSHARE_SECRET_KEY": secrets.token_urlsafe(48),
        "PHOTOSHARE_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    print(f"MongoDB is configured: running 2 workers on a throwaway database, {database}")
    description = f"MongoDB database {database} (throwaway), 2 workers, Redis server at {redis_url}"
    return Mode(2, env, description, database)


def drop_database(mode: Mode) -> None:
    """Drop the throwaway MongoDB database the run created, if any."""
    if mode.database is None:
        return
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        mode.env["PHOTOSHARE_MONGODB_URL"], serverSelectionTimeoutMS=5000
    )
    try:
        client.drop_database(mode.database)
        print(f"dropped the throwaway database {mode.database}")
    except pymongo.errors.PyMongoError as exc:
        reason = f"{type(exc).__name__}: {str(exc)[:200]}"
        print(f"{PROG}: could not drop the throwaway database {mode.database}: {reason}")
    finally:
        client.close()


# --- seeding ------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareLink:
    id: str
    slug: str


@dataclass
class Fixture:
    """What the load works on; uploads made during the run join ``photo_ids``."""

    accounts: list[Account]
    photo_ids: list[str]
    links: list[ShareLink]
    fresh_ratings: list[tuple[Account, str]]  # pairs that have not rated yet
    rated: list[tuple[Account, str]] = field(default_factory=list)


def sentence(rng: random.Random, low: int, high: int) -> str:
    return benchlib.sentence(rng, WORDS, low, high)


def tag_list(rng: random.Random) -> str:
    return benchlib.tag_list(rng, TAGS)


async def seed(base_url: str, jpeg: bytes, rng: random.Random) -> Fixture:
    """Sign up and log in the accounts; upload, comment, rate and link photos."""
    names = [f"load{number:02d}" for number in range(ACCOUNTS)]
    accounts = await sign_up(base_url, names, SETUP_CLIENTS)
    owners: dict[str, Account] = {}
    links: list[ShareLink] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=SETUP_TIMEOUT_S) as client:

        async def upload(number: int) -> None:
            owner = accounts[number % OWNERS]
            response = await client.post(
                "/api/v1/photos",
                files={"file": ("seed.jpg", jpeg, "image/jpeg")},
                data={"description": sentence(rng, 4, 8), "tags": tag_list(rng)},
                headers=owner.headers,
            )
            owners[expect(response, 201, "a seed upload")["id"]] = owner

        await in_parallel(range(PHOTOS), upload, SETUP_CLIENTS)
        photo_ids = sorted(owners)

        async def comment(number: int) -> None:
            photo_id = photo_ids[number % len(photo_ids)]
            response = await client.post(
                f"/api/v1/photos/{photo_id}/comments",
                json={"text": f"{sentence(rng, 3, 6)} (seed comment {number + 1})"},
                headers=rng.choice(accounts).headers,
            )
            expect(response, 201, "a seed comment")

        await in_parallel(range(PHOTOS * COMMENTS_PER_PHOTO), comment, SETUP_CLIENTS)
        pairs = [(a, p) for p in photo_ids for a in accounts if a is not owners[p]]
        rng.shuffle(pairs)
        fixture = Fixture(accounts, photo_ids, links, pairs[SEEDED_RATINGS:])

        async def rate(pair: tuple[Account, str]) -> None:
            rater, photo_id = pair
            response = await client.post(
                f"/api/v1/photos/{photo_id}/ratings",
                json={"stars": rng.randint(1, 5)},
                headers=rater.headers,
            )
            expect(response, 201, "a seed rating")
            fixture.rated.append(pair)

        await in_parallel(pairs[:SEEDED_RATINGS], rate, SETUP_CLIENTS)
        for preset, photo_id in zip(LINK_PRESETS, photo_ids, strict=False):
            response = await client.post(
                f"/api/v1/photos/{photo_id}/links",
                json={"preset": preset},
                headers=owners[photo_id].headers,
            )
            body = expect(response, 201, f"a {preset} link")
            link = ShareLink(body["id"], body["url"].rsplit("/", 1)[-1])
            # Once each, to check them (and render the images, as a first visitor would).
            expect(await client.get(f"/s/{link.slug}"), 200, f"the {preset} link's image")
            expect(await client.get(f"/api/v1/links/{link.id}/qr"), 200, "a QR code")
            links.append(link)
    return fixture


# --- the workload -------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request to send, and the status that counts as a success."""

    endpoint: str
    kind: Kind
    method: str
    url: str
    expect: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None
    data: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None


@dataclass(frozen=True)
class Endpoint:
    label: str
    kind: Kind
    weight: int  # percent of the requests
    plan: Callable[[], Call]


class Workload:
    """Picks the next request at random (seeded), following the endpoints' weights."""

    def __init__(self, fixture: Fixture, jpeg: bytes, rng: random.Random) -> None:
        self.fixture = fixture
        self.jpeg = jpeg
        self.rng = rng
        self.endpoints = [
            Endpoint("GET /photos/{id}", "read", 18, self.photo),
            Endpoint("GET /photos?q=", "read", 8, self.search_words),
            Endpoint("GET /photos?tag=", "read", 8, self.search_tag),
            Endpoint("GET /photos/{id}/comments", "read", 12, self.comments),
            Endpoint("GET /s/{slug}", "read", 8, self.link_image),
            Endpoint("GET /links/{id}/qr", "read", 6, self.link_qr),
            Endpoint("GET /users/{username}", "read", 10, self.profile),
            Endpoint("POST /photos/{id}/comments", "write", 10, self.add_comment),
            Endpoint("POST /photos/{id}/ratings", "write", 10, self.add_rating),
            Endpoint("POST /photos", "upload", 10, self.upload),
        ]
        self._weights = [endpoint.weight for endpoint in self.endpoints]
        self._comments = 0

    def next_call(self) -> Call:
        [endpoint] = self.rng.choices(self.endpoints, weights=self._weights)
        return endpoint.plan()

    def share(self, kind: Kind) -> int:
        return sum(e.weight for e in self.endpoints if e.kind == kind)

    # Reads go out with a logged-in user's token, as the album sends them; the public
    # link image and QR code without, as a browser or a phone fetches them.
    def _account(self) -> Account:
        return self.rng.choice(self.fixture.accounts)

    def _photo(self) -> str:
        return self.rng.choice(self.fixture.photo_ids)

    def _read(self, endpoint: str, url: str) -> Call:
        return Call(endpoint, "read", "GET", url, headers=self._account().headers)

    def photo(self) -> Call:
        return self._read("GET /photos/{id}", f"/api/v1/photos/{self._photo()}")

    def search_words(self) -> Call:
        query = urlencode({"q": " ".join(self.rng.sample(WORDS, self.rng.randint(1, 2)))})
        return self._read("GET /photos?q=", f"/api/v1/photos?{query}")

    def search_tag(self) -> Call:
        return self._read("GET /photos?tag=", f"/api/v1/photos?tag={self.rng.choice(TAGS)}")

    def comments(self) -> Call:
        return self._read("GET /photos/{id}/comments", f"/api/v1/photos/{self._photo()}/comments")

    def link_image(self) -> Call:
        link = self.rng.choice(self.fixture.links)
        return Call("GET /s/{slug}", "read", "GET", f"/s/{link.slug}")

    def link_qr(self) -> Call:
        link = self.rng.choice(self.fixture.links)
        return Call("GET /links/{id}/qr", "read", "GET", f"/api/v1/links/{link.id}/qr")

    def profile(self) -> Call:
        return self._read("GET /users/{username}", f"/api/v1/users/{self._account().username}")

    def add_comment(self) -> Call:
        self._comments += 1
        text = f"{sentence(self.rng, 3, 8)} (load comment {self._comments})"
        url = f"/api/v1/photos/{self._photo()}/comments"
        headers = self._account().headers
        return Call(
            "POST /photos/{id}/comments", "write", "POST", url, 201, headers, {"text": text}
        )

    def add_rating(self) -> Call:
        """A rating by a pair that has not rated yet; when none is left, a repeat (409)."""
        fixture = self.fixture
        if fixture.fresh_ratings:
            pair, status = fixture.fresh_ratings.pop(), 201
            fixture.rated.append(pair)
        else:
            pair, status = self.rng.choice(fixture.rated), 409
        rater, photo_id = pair
        body = {"stars": self.rng.randint(1, 5)}
        url = f"/api/v1/photos/{photo_id}/ratings"
        return Call("POST /photos/{id}/ratings", "write", "POST", url, status, rater.headers, body)

    def upload(self) -> Call:
        return Call(
            "POST /photos",
            "upload",
            "POST",
            "/api/v1/photos",
            201,
            self._account().headers,
            data={"description": sentence(self.rng, 4, 8), "tags": tag_list(self.rng)},
            files={"file": ("load.jpg", self.jpeg, "image/jpeg")},
        )


# --- the load -----------------------------------------------------------------------


@dataclass
class Stats:
    """What the timed phase produced."""

    sent: int = 0
    shed: int = 0
    responses: int = 0
    expected_409: int = 0
    five_xx: int = 0
    cancelled: int = 0
    peak_in_flight: int = 0
    max_lag_ms: float = 0.0
    scheduling_s: float = 0.0
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    server_wait_s: float = 0.0
    client_wait_s: float = 0.0
    load_average: float = 0.0
    redis_commands: int | None = None
    server_tracebacks: int = 0
    by_endpoint: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    by_kind: dict[Kind, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    endpoint_errors: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def latencies(self) -> list[float]:
        return [ms for samples in self.by_kind.values() for ms in samples]

    def error(self, call: Call, what: str, example: str) -> None:
        key = f"{call.method} {call.url.split('?')[0]} -> {what}"
        label = f"{call.endpoint}: {what}"
        self.errors[label] += 1
        self.endpoint_errors[call.endpoint] += 1
        self.examples.setdefault(label, f"{key}: {example}"[:300])


async def execute(
    client: httpx.AsyncClient, call: Call, due: float, stats: Stats, fixture: Fixture
) -> None:
    """Send one request and record its latency (from ``due``) and outcome."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT_S):
            response = await client.request(
                call.method,
                call.url,
                headers=call.headers,
                json=call.json,
                data=call.data,
                files=call.files,
            )
    except (TimeoutError, httpx.TimeoutException) as exc:
        stats.error(call, "timeout", f"{type(exc).__name__} after {REQUEST_TIMEOUT_S:g} s")
        return
    except httpx.HTTPError as exc:
        stats.error(call, f"transport error {type(exc).__name__}", str(exc))
        return
    latency_ms = (loop.time() - due) * 1000
    stats.responses += 1
    stats.statuses[response.status_code] += 1
    stats.by_endpoint[call.endpoint].append(latency_ms)
    stats.by_kind[call.kind].append(latency_ms)
    if response.status_code >= 500:
        stats.five_xx += 1
    if response.status_code != call.expect:
        stats.error(call, f"HTTP {response.status_code}", response.text[:200])
    elif response.status_code == 409:
        stats.expected_409 += 1
    elif call.kind == "upload":
        fixture.photo_ids.append(str(response.json()["id"]))


async def run_load(
    base_url: str, workload: Workload, rate: float, duration_s: int, max_in_flight: int
) -> Stats:
    """Send ``rate * duration_s`` requests on a fixed timer; wait for the stragglers."""
    stats = Stats()
    loop = asyncio.get_running_loop()
    limits = httpx.Limits(max_connections=max_in_flight, max_keepalive_connections=max_in_flight)
    timeout = httpx.Timeout(REQUEST_TIMEOUT_S)
    in_flight: set[asyncio.Task[None]] = set()
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) as client:
        start = loop.time()
        for number in range(round(rate * duration_s)):
            due = start + number / rate
            if (delay := due - loop.time()) > 0:
                await asyncio.sleep(delay)
            stats.max_lag_ms = max(stats.max_lag_ms, (loop.time() - due) * 1000)
            if len(in_flight) >= max_in_flight:
                stats.shed += 1
                continue
            call = workload.next_call()
            task = asyncio.create_task(execute(client, call, due, stats, workload.fixture))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            stats.sent += 1
            stats.peak_in_flight = max(stats.peak_in_flight, len(in_flight))
        stats.scheduling_s = loop.time() - start
        if in_flight:
            # Every request times out by itself; this is only a backstop.
            _, late = await asyncio.wait(in_flight, timeout=REQUEST_TIMEOUT_S + 5)
            for task in late:
                task.cancel()
            stats.cancelled = len(late)
        stats.wall_s = loop.time() - start
    return stats


# --- the report ---------------------------------------------------------------------


def figures(samples: list[float]) -> str:
    if not samples:
        return f"{'-':>8} {'-':>8}"
    return f"{percentile(samples, 50):>8.1f} {percentile(samples, 99):>8.1f}"


def report(args: argparse.Namespace, mode: Mode, workload: Workload, stats: Stats) -> None:
    jpeg_kb = len(workload.jpeg) / 1024
    mix = ", ".join(f"{workload.share(kind)}% {kind}s" for kind in KINDS)
    print()
    print(f"{PROG}: {mode.description}")
    print(f"workload: {args.rate:g} req/s for {args.duration} s, open loop; {mix}")
    print(f"  (uploads: {IMAGE_WIDTH}x{IMAGE_HEIGHT} JPEG, {jpeg_kb:.0f} KB)")
    print(
        f"bounds: at most {args.max_in_flight} requests in flight, "
        f"{REQUEST_TIMEOUT_S:.0f} s per request, all to 127.0.0.1"
    )
    throughput = stats.responses / stats.wall_s if stats.wall_s else 0.0
    print(
        f"duration         {stats.wall_s:.1f} s "
        f"({stats.scheduling_s:.1f} s of sending, then the last responses)"
    )
    print(f"requests sent    {stats.sent} ({stats.shed} shed at the in-flight cap)")
    print(f"responses        {stats.responses}")
    print(f"throughput       {throughput:.1f} completed req/s")
    print(f"{'latency (ms)':<16} {'answered':>8} {'p50':>8} {'p99':>8}")
    print(f"{'  overall':<16} {len(stats.latencies):>8} {figures(stats.latencies)}")
    for kind in KINDS:
        samples = stats.by_kind.get(kind, [])
        print(f"{'  ' + kind:<16} {len(samples):>8} {figures(samples)}")
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(stats.statuses.items()))
    print(f"statuses         {statuses or 'none'}")
    print(f"expected 409s    {stats.expected_409} (a rating by a user who had rated that photo)")
    print(f"errors           {stats.error_count} (transport errors, timeouts, unexpected statuses)")
    print(f"5xx              {stats.five_xx}")
    print(
        f"load generator   peak {stats.peak_in_flight} in flight, "
        f"timer at most {stats.max_lag_ms:.1f} ms late"
        + (f", {stats.cancelled} cancelled at the end" if stats.cancelled else "")
    )
    if stats.wall_s:
        print(
            f"CPU              server {stats.server_cpu_s:.1f} s "
            f"({stats.server_cpu_s / stats.wall_s:.0%} of a core), load generator "
            f"{stats.client_cpu_s:.1f} s ({stats.client_cpu_s / stats.wall_s:.0%}); "
            f"{os.cpu_count()} cores"
        )
        print(
            f"CPU wait         server {stats.server_wait_s:.1f} s, load generator "
            f"{stats.client_wait_s:.1f} s runnable but waiting for a core"
        )
        print(f"load average     {stats.load_average:.1f} when the load started (1 min)")
    print()
    print(f"{'endpoint':<28} {'answered':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for endpoint in workload.endpoints:
        samples = stats.by_endpoint.get(endpoint.label, [])
        errors = stats.endpoint_errors[endpoint.label]
        print(f"{endpoint.label:<28} {len(samples):>8} {figures(samples)} {errors:>7}")
    if stats.errors:
        print()
        print("errors by kind (count, first example):")
        for label, count in stats.errors.most_common():
            print(f"  {count:>5}  {label}")
            print(f"         {stats.examples[label]}")
    print()
    if stats.redis_commands is not None:
        print(f"(Redis processed {stats.redis_commands} commands during the load)")
    print(f"(server log: {stats.server_tracebacks} tracebacks)")
    clean = stats.error_count == 0 and stats.five_xx == 0 and stats.shed == 0
    print()
    print(f"target: no errors, no 5xx and nothing shed: {verdict(clean)}")


# --- main ---------------------------------------------------------------------------


def waits(server_pid: int) -> tuple[float, float]:
    """Seconds the server's and this process's threads have waited for a CPU so far."""
    return run_queue_wait_s(server_pid), run_queue_wait_s(os.getpid())


def measure(args: argparse.Namespace, server: Server, redis_url: str, workload: Workload) -> Stats:
    """Run the load; note the CPU used and waited for, and Redis's commands, around it."""
    print(f"running {args.rate:g} req/s for {args.duration} s...", flush=True)
    commands = redis_commands(redis_url)
    server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
    server_wait, client_wait = waits(server.pid)
    load_average = os.getloadavg()[0]
    stats = asyncio.run(
        run_load(server.base_url, workload, args.rate, args.duration, args.max_in_flight)
    )
    stats.server_cpu_s = cpu_seconds(server.pid) - server_cpu
    stats.client_cpu_s = time.process_time() - client_cpu
    server_waited, client_waited = waits(server.pid)
    stats.server_wait_s = max(0.0, server_waited - server_wait)
    stats.client_wait_s = max(0.0, client_waited - client_wait)
    stats.load_average = load_average
    after = redis_commands(redis_url)
    if commands is not None and after is not None:
        stats.redis_commands = after - commands
    return stats


def bench(args: argparse.Namespace, tmp: Path) -> int:
    """Start Redis and the server, seed, run the load, stop everything, then report."""
    rng = random.Random(SEED)  # noqa: S311 - sample data, not secrets
    jpeg = build_jpeg(IMAGE_WIDTH, IMAGE_HEIGHT)
    data_dir, redis_dir = tmp / "data", tmp / "redis"
    data_dir.mkdir()
    redis_dir.mkdir()
    with redis_server(redis_dir) as redis_url:
        port = free_port()
        mode = choose_mode(redis_url, port)
        try:
            with running_server(data_dir, PROG, mode.env, mode.workers, port) as server:
                ready = httpx.get(f"{server.base_url}/readyz", timeout=SETUP_TIMEOUT_S)
                if ready.status_code != 200 or ready.json().get("redis") != "ok":
                    raise BenchError(f"/readyz answered {ready.status_code}: {ready.text}")
                started = time.perf_counter()
                fixture = asyncio.run(seed(server.base_url, jpeg, rng))
                print(
                    f"seeded {len(fixture.accounts)} accounts, {len(fixture.photo_ids)} photos, "
                    f"{PHOTOS * COMMENTS_PER_PHOTO} comments, {len(fixture.rated)} ratings, "
                    f"{len(fixture.links)} links in {time.perf_counter() - started:.1f} s; "
                    f"{len(fixture.fresh_ratings)} (user, photo) pairs left to rate"
                )
                workload = Workload(fixture, jpeg, rng)
                stats = measure(args, server, redis_url, workload)
        finally:
            drop_database(mode)
    # The server has stopped: its log is complete.
    stats.server_tracebacks = server.log_path.read_text(errors="replace").count("Traceback")
    report(args, mode, workload, stats)
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--duration",
        type=int,
        default=DEFAULT_DURATION_S,
        help=f"seconds of load ({DEFAULT_DURATION_S}, at most {MAX_DURATION_S})",
    )
    parser.add_argument(
        "--rate", type=float, default=DEFAULT_RATE, help=f"requests per second ({DEFAULT_RATE:g})"
    )
    parser.add_argument(
        "--max-in-flight",
        type=int,
        default=DEFAULT_MAX_IN_FLIGHT,
        help=f"cap on requests in flight ({DEFAULT_MAX_IN_FLIGHT})",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= MAX_DURATION_S:
        parser.error(f"--duration must be 1 to {MAX_DURATION_S}")
    if not 0 < args.rate <= MAX_RATE:
        parser.error(f"--rate must be above 0 and at most {MAX_RATE:g}")
    if not 1 <= args.max_in_flight <= 1024:
        parser.error("--max-in-flight must be 1 to 1024")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    warn_about_dotenv(PROG)
    return run_in_temp_dir(PROG, lambda tmp: bench(args, tmp), prefix="photoshare-load-")


if __name__ == "__main__":
    raise SystemExit(main())
