"""Benchmark POST /auth/password-reset: a known and an unknown address answer alike in time.

The request answers 202 before any lookup and leaves the work (throttle counters, the
account lookup, the token, the email) to a background task, so the time to the answer
should not tell whether an account uses the address. This measures it against a real
server (``photoshare serve`` as in the other benchmarks, ``benchlib.py``) whose mail goes
to a local SMTP server (aiosmtpd on 127.0.0.1, in this process), with the reset limits
raised so that every request for a known address really mails a link:

- ``--accounts`` (20) accounts are signed up;
- ``--requests`` (300) reset requests for known addresses and as many for unknown ones
  are sent one at a time in a shuffled order, over one keep-alive connection, with a
  pause between them (``--pause-ms``, 30) so each background task has finished before
  the next request arrives, as it would for requests from different people;
- it prints p50, p90 and p99 latency of each kind, the difference of the p50s, and the
  number of reset emails that arrived (one per known request).

Run it from the repository root::

    .venv/bin/python scripts/bench_password_reset.py [--requests 300] [--accounts 20]

The exit code is 0 whatever the figures (a benchmark, not a test); it is non-zero when
the server does not start, a request fails, or the emails do not match the requests.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from benchlib import (
    BenchError,
    expect,
    free_port,
    percentile,
    run_in_temp_dir,
    running_server,
    sign_up,
    warn_about_dotenv,
)

PROG = "bench_password_reset"
LIMIT_OUT_OF_REACH = "1000000"


class CountingInbox:
    """An SMTP handler that counts the messages it accepts."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received += 1
        return "250 OK"


def timed_requests(
    base_url: str, addresses: list[tuple[str, str]], pause_s: float
) -> dict[str, list[float]]:
    """Ask for a reset of each (kind, address) in turn; latencies in ms by kind."""
    latencies: dict[str, list[float]] = {"known": [], "unknown": []}
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        for kind, email in addresses:
            started = time.perf_counter()
            answer = client.post("/api/v1/auth/password-reset", json={"email": email})
            latencies[kind].append((time.perf_counter() - started) * 1000)
            expect(answer, 202, f"reset request for a {kind} address")
            time.sleep(pause_s)
    return latencies


def report(latencies: dict[str, list[float]]) -> None:
    for kind, values in latencies.items():
        figures = ", ".join(f"p{p} {percentile(values, p):.2f} ms" for p in (50, 90, 99))
        print(f"{PROG}: {kind:>7} address, {len(values)} requests: {figures}")
    gap = percentile(latencies["known"], 50) - percentile(latencies["unknown"], 50)
    print(f"{PROG}: p50 known - p50 unknown = {gap:+.2f} ms")


def measure(tmp: Path, requests: int, accounts: int, pause_s: float) -> int:
    inbox, smtp_port = CountingInbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {
        "PHOTOSHARE_SMTP_HOST": "127.0.0.1",
        "PHOTOSHARE_SMTP_PORT": str(smtp_port),
        "PHOTOSHARE_SMTP_SECURITY": "none",
        "PHOTOSHARE_PASSWORD_RESET_MAILS_PER_EMAIL_PER_HOUR": LIMIT_OUT_OF_REACH,
        "PHOTOSHARE_PASSWORD_RESET_REQUESTS_PER_CLIENT_PER_HOUR": LIMIT_OUT_OF_REACH,
    }
    try:
        with running_server(tmp, PROG, extra_env=env) as server:
            names = [f"resetter{n}" for n in range(accounts)]
            asyncio.run(sign_up(server.base_url, names))
            signup_mails = inbox.received
            rng = random.Random(18)  # noqa: S311 - a shuffle, not a secret
            addresses = [("known", f"{rng.choice(names)}@example.com") for _ in range(requests)]
            addresses += [("unknown", f"nobody{n}@example.com") for n in range(requests)]
            rng.shuffle(addresses)
            latencies = timed_requests(server.base_url, addresses, pause_s)
            time.sleep(1.0)  # the last background task
            report(latencies)
            mailed = inbox.received - signup_mails
            print(f"{PROG}: reset emails received: {mailed} (known requests: {requests})")
            if mailed != requests:
                raise BenchError(f"{mailed} reset emails for {requests} known requests")
    finally:
        controller.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests of each kind")
    parser.add_argument("--accounts", type=int, default=20, help="known accounts")
    parser.add_argument("--pause-ms", type=float, default=30.0, help="pause between requests")
    args = parser.parse_args()
    warn_about_dotenv(PROG)
    return run_in_temp_dir(
        PROG, lambda tmp: measure(tmp, args.requests, args.accounts, args.pause_ms / 1000)
    )


if __name__ == "__main__":
    raise SystemExit(main())
