"""Benchmark a signup flood against a real PhotoShare server: its memory stays bounded.

Every signup hashes a password with argon2id, which holds ``PHOTOSHARE_ARGON2_MEMORY_KIB``
(64 MiB) while it runs. The server runs at most ``PHOTOSHARE_PASSWORD_HASH_CONCURRENCY``
hashes at once and queues the rest, so its memory should stay under

    bound = idle RSS + concurrency x argon2 memory + headroom (requests in flight)

What it measures, with the server's default settings (the signup limit excepted, see 2):

1. ``--signups`` (80) signups sent at once from ``--addresses`` (8) client addresses, an
   equal share each (within the per-address limit): status counts, p50/p99 latency;
2. twice the per-address limit (``PHOTOSHARE_RATE_LIMIT_SIGNUPS_PER_HOUR``, 20 by default)
   sent at once from one more address: the limit's worth are 201, the rest 429;
3. 45 wrong passwords sent at once for one account, alternating its username and email,
   from 5 addresses: at most ``PHOTOSHARE_LOGIN_MAX_FAILURES_PER_ACCOUNT`` (10) are checked;

and the server's idle RSS before the flood and its peak RSS during it (VmRSS sampled
every 50 ms, and the kernel's high-water mark VmHWM, reset before the flood), against
the bound above. Linux only.

Client addresses: each client binds its own loopback source address (127.0.0.N; Linux
routes all of 127.0.0.0/8 to the loopback interface), so the server sees distinct peers
without a proxy in front. The server runs as in the other benchmarks (``benchlib.py``):
``photoshare serve`` on a free 127.0.0.1 port, fresh data dir, embedded mode.

Run it from the repository root::

    .venv/bin/python scripts/bench_signup.py [--signups 80] [--addresses 8]

The exit code is 0 whether or not the bound is met (this is a benchmark, not a test);
it is non-zero when the server does not start or a request fails outright.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from benchlib import (
    BenchError,
    RssSampler,
    peak_rss_kb,
    percentile,
    read_status_kb,
    reset_peak_rss,
    run_in_temp_dir,
    running_server,
    verdict,
    warn_about_dotenv,
)

from photoshare.config import Settings

PROG = "bench_signup"
REQUEST_TIMEOUT_S = 300.0
PASSWORD = "benchmark password"  # noqa: S105 - throwaway accounts on a throwaway server
# Room for what requests in flight hold besides the hashes: bodies, responses, buffers.
HEADROOM_MB = 64.0
WRONG_LOGINS = 45
LOGIN_ADDRESSES = 5
MIB = 1024 * 1024


@dataclass
class Phase:
    """What one burst of requests got back."""

    name: str
    statuses: Counter[int] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    retry_after_missing: int = 0
    wall_s: float = 0.0

    def line(self) -> str:
        counts = ", ".join(f"{count} x {status}" for status, count in sorted(self.statuses.items()))
        p50, p99 = percentile(self.latencies_ms, 50), percentile(self.latencies_ms, 99)
        return (
            f"{self.name:<28} {counts:<22} p50 {p50 / 1000:5.1f} s  p99 {p99 / 1000:5.1f} s  "
            f"wall {self.wall_s:5.1f} s"
        )


def client_address(number: int) -> str:
    """The loopback source address of client ``number`` (127.0.0.2 onwards)."""
    if not 0 <= number < 250:
        raise BenchError("at most 250 client addresses")
    return f"127.0.0.{number + 2}"


def client_at(base_url: str, address: str) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(base_url=base_url, transport=transport, timeout=REQUEST_TIMEOUT_S)


async def burst(
    phase: Phase, requests: list[tuple[httpx.AsyncClient, str, dict[str, str]]]
) -> None:
    """Send every (client, path, fields) request at once; record statuses and latencies.

    Signups send their fields as JSON, logins as a form.
    """

    async def one(client: httpx.AsyncClient, path: str, fields: dict[str, str]) -> None:
        start = time.perf_counter()
        if path.endswith("/login"):
            response = await client.post(path, data=fields)
        else:
            response = await client.post(path, json=fields)
        phase.latencies_ms.append((time.perf_counter() - start) * 1000)
        phase.statuses[response.status_code] += 1
        if response.status_code in (429, 503) and "retry-after" not in response.headers:
            phase.retry_after_missing += 1

    start = time.perf_counter()
    await asyncio.gather(*(one(*request) for request in requests))
    phase.wall_s = time.perf_counter() - start


def signup_fields(name: str) -> dict[str, str]:
    return {"username": name, "email": f"{name}@example.com", "password": PASSWORD}


async def flood(base_url: str, args: argparse.Namespace, limit: int) -> list[Phase]:
    """The three bursts of the module docstring, one after the other."""
    clients = [client_at(base_url, client_address(n)) for n in range(args.addresses + 1)]
    try:
        spread = Phase(f"{args.signups} signups, {args.addresses} addresses")
        await burst(
            spread,
            [
                (clients[n % args.addresses], "/api/v1/auth/signup", signup_fields(f"flood{n}"))
                for n in range(args.signups)
            ],
        )
        one_address = Phase(f"{2 * limit} signups, 1 address")
        last = clients[args.addresses]
        await burst(
            one_address,
            [(last, "/api/v1/auth/signup", signup_fields(f"single{n}")) for n in range(2 * limit)],
        )
        guesses = Phase(f"{WRONG_LOGINS} wrong logins, 1 account")
        names = ["flood0", "flood0@example.com"]
        await burst(
            guesses,
            [
                (
                    clients[n % LOGIN_ADDRESSES],
                    "/api/v1/auth/login",
                    {"username": names[n % 2], "password": "not the password"},
                )
                for n in range(WRONG_LOGINS)
            ],
        )
        return [spread, one_address, guesses]
    finally:
        for client in clients:
            await client.aclose()


def warm_up(base_url: str) -> None:
    """One signup, so that the idle figure includes a server that has hashed once."""
    with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT_S) as client:
        response = client.post("/api/v1/auth/signup", json=signup_fields("warmup"))
        if response.status_code != 201:
            raise BenchError(f"the warm-up signup answered {response.status_code}: {response.text}")


@dataclass(frozen=True)
class Memory:
    idle_mb: float
    peak_mb: float
    hwm_mb: float
    samples: int


def bench(
    args: argparse.Namespace, settings: Settings, data_dir: Path
) -> tuple[list[Phase], Memory]:
    """Run the server, warm it up, and flood it while sampling its memory."""
    env = {"PHOTOSHARE_RATE_LIMIT_SIGNUPS_PER_HOUR": str(settings.rate_limit_signups_per_hour)}
    with running_server(data_dir, PROG, extra_env=env) as server:
        warm_up(server.base_url)
        time.sleep(0.5)
        idle_kb = read_status_kb(server.pid, "VmRSS") or 0
        if not reset_peak_rss(server.pid):
            print("(VmHWM could not be reset; the peak relies on the sampled VmRSS)")
        with RssSampler(server.pid) as sampler:
            phases = asyncio.run(flood(server.base_url, args, settings.rate_limit_signups_per_hour))
        peak_kb, hwm_kb = peak_rss_kb(sampler)
        return phases, Memory(idle_kb / 1024, peak_kb / 1024, hwm_kb / 1024, sampler.samples)


def report(settings: Settings, phases: list[Phase], memory: Memory) -> bool:
    """Print the figures; True when every burst was answered as expected."""
    hashes_mb = settings.password_hash_memory_bytes / MIB
    bound_mb = memory.idle_mb + hashes_mb + HEADROOM_MB
    print(
        f"{PROG}: argon2id t={settings.argon2_time_cost} m={settings.argon2_memory_kib // 1024} MiB"
        f" p={settings.argon2_parallelism}; {settings.password_hash_concurrency} hashes at once, "
        f"{settings.password_hash_queue} may wait; "
        f"{settings.rate_limit_signups_per_hour} signups per address per hour"
    )
    for phase in phases:
        print(phase.line())
    missing = sum(phase.retry_after_missing for phase in phases)
    print(f"429/503 answers without Retry-After: {missing}")
    print(f"idle RSS       {memory.idle_mb:.0f} MB")
    print(
        f"peak RSS       {memory.peak_mb:.0f} MB  ({memory.samples} samples, "
        f"VmHWM {memory.hwm_mb:.0f} MB)"
    )
    print(
        f"bound          {bound_mb:.0f} MB = idle {memory.idle_mb:.0f} + "
        f"{settings.password_hash_concurrency} x {settings.argon2_memory_kib // 1024} MiB hashes "
        f"+ {HEADROOM_MB:.0f} MB headroom -> {verdict(memory.peak_mb <= bound_mb)}"
    )
    spread, one_address, guesses = phases
    limit = settings.rate_limit_signups_per_hour
    expected = (
        set(spread.statuses) == {201}
        and one_address.statuses == Counter({201: limit, 429: limit})
        and guesses.statuses[401] <= settings.login_max_failures_per_account
        and set(guesses.statuses) <= {401, 429}
        and missing == 0
    )
    print(
        f"answers as expected (all 201; {limit} x 201 then 429; <= "
        f"{settings.login_max_failures_per_account} x 401): {'yes' if expected else 'NO'}"
    )
    return expected


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--signups", type=int, default=80, help="signups sent at once (80)")
    parser.add_argument("--addresses", type=int, default=8, help="client addresses (8)")
    args = parser.parse_args(argv)
    if args.signups < 1 or not 1 <= args.addresses < 200:
        parser.error("--signups must be >= 1 and --addresses between 1 and 199")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    warn_about_dotenv(PROG)
    # The server's settings: the defaults, as no PHOTOSHARE_* variable reaches it.
    settings = Settings.model_construct()

    def run(tmp: Path) -> int:
        phases, memory = bench(args, settings, tmp)
        return 0 if report(settings, phases, memory) else 1

    return run_in_temp_dir(PROG, run)


if __name__ == "__main__":
    raise SystemExit(main())
