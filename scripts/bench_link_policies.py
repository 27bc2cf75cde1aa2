"""Benchmark a link's URL with and without a policy against a real PhotoShare server.

What it measures, on one 1600x1200 JPEG uploaded through ``POST /api/v1/photos`` and the
transformation ``c_fill,w_400,h_400/f_webp``, with ``wrk -t2 -c32`` for ``--duration``
seconds per kind, the kinds taken in turn for ``--rounds`` rounds (the median is shown, so
a burst of other work on the machine moves one figure, not all):

- plain: a link without a policy, served from the hot renders (no database read; its
  views are tallied in memory and written once a second);
- expiring: ``expires_at`` a day away: each view reads the link and counts itself with one
  atomic update;
- limited: ``max_views`` 1,000,000: the same, the update's filter holding the limit;
- password: a password link, with the cookie ``POST Link.url`` set (signature checked on
  each view), plus the update of the views.

After the load it reads each link's ``views`` and compares it with the 200 answers wrk
saw (plus the one warm-up view): views may exceed them by at most the requests in flight
when wrk stopped (32 connections per round), which the server answered and counted but
wrk did not wait for.

The server runs as in ``bench_transform.py`` (see ``benchlib.py``): ``photoshare serve``
on a free 127.0.0.1 port, fresh data dir, embedded mode unless PHOTOSHARE_MONGODB_URL is
set. Linux only; needs wrk.

From the repository root: ``.venv/bin/python scripts/bench_link_policies.py [--duration 10]
[--rounds 3]``. It exits 0 whatever the figures (a benchmark, not a test), non-zero when
the server does not start or a setup request fails.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import benchlib
import httpx
from benchlib import BenchError, Load, expect

PROG = "bench_link_policies"
TRANSFORMATION = "c_fill,w_400,h_400/f_webp"
PASSWORD = "benchmark password"  # noqa: S105 (the throwaway link's, on a throwaway server)
WRK_THREADS, WRK_CONNECTIONS = 2, 32


@dataclass(frozen=True)
class Target:
    kind: str
    link_id: str
    url: str
    headers: dict[str, str]


def make_links(api: httpx.Client, photo_id: str) -> list[Target]:
    """One link of each kind, each viewed once (rendered, and the plain one held hot)."""
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    policies: dict[str, dict[str, object]] = {
        "plain": {},
        "expiring": {"expires_at": tomorrow},
        "limited": {"max_views": 1_000_000},
        "password": {"password": PASSWORD},
    }
    targets = []
    for kind, policy in policies.items():
        body = {"transformation": TRANSFORMATION, **policy}
        link = expect(api.post(f"/api/v1/photos/{photo_id}/links", json=body), 201, kind)
        headers: dict[str, str] = {}
        if kind == "password":
            unlocked = api.post(link["url"], data={"password": PASSWORD})
            expect(unlocked, 303, "the password form")
            headers["Cookie"] = unlocked.headers["set-cookie"].split(";", 1)[0]
        expect(api.get(link["url"], headers=headers), 200, f"the {kind} link's image")
        targets.append(Target(kind, link["id"], link["url"], headers))
    return targets


def load(wrk: str, target: Target, duration_s: int) -> Load:
    command = [wrk, f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{duration_s}s", "--latency"]
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, target.url], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return benchlib.parse_wrk(done.stdout, latency_required=True)


def bench(args: argparse.Namespace, data_dir: Path) -> int:
    wrk = benchlib.require_wrk(PROG)
    if wrk is None:
        return 1
    with benchlib.running_server(data_dir, PROG) as server:
        token = benchlib.login(server.base_url)
        with httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as api:
            files = {"file": ("bench.jpg", benchlib.build_jpeg(1600, 1200), "image/jpeg")}
            photo_id = expect(api.post("/api/v1/photos", files=files), 201, "upload")["id"]
            targets = make_links(api, photo_id)
            runs: dict[str, list[Load]] = {target.kind: [] for target in targets}
            for _ in range(args.rounds):
                for target in targets:
                    runs[target.kind].append(load(wrk, target, args.duration))
            views = {
                target.kind: expect(api.get(f"/api/v1/links/{target.link_id}"), 200, "link")[
                    "views"
                ]
                for target in targets
            }
    report(args, runs, views)
    return 0


def report(args: argparse.Namespace, runs: dict[str, list[Load]], views: dict[str, int]) -> None:
    print(
        f"{PROG}: GET Link.url of a {TRANSFORMATION} render (1600x1200 JPEG), "
        f"wrk {WRK_THREADS} threads {WRK_CONNECTIONS} connections, "
        f"{args.rounds} x {args.duration} s per kind, median of the rounds"
    )
    plain = statistics.median(load.requests_per_s for load in runs["plain"])
    for kind, loads in runs.items():
        rate = statistics.median(load.requests_per_s for load in loads)
        p50 = statistics.median(load.p50_ms or 0 for load in loads)
        p99 = statistics.median(load.p99_ms or 0 for load in loads)
        answered = sum(load.requests - load.bad_status for load in loads) + 1
        bad = sum(load.bad_status for load in loads)
        unseen = views[kind] - answered
        fits = 0 <= unseen <= WRK_CONNECTIONS * len(loads)
        print(
            f"{kind:9} {rate:7.0f} requests/s ({rate / plain:4.0%} of plain)  "
            f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  non-2xx {bad}  views {views[kind]} for "
            f"{answered} images wrk saw (+{unseen} in flight at its stops: "
            f"{'consistent' if fits else 'INCONSISTENT'})"
        )
    rounds = ", ".join(
        f"{kind} " + "/".join(f"{load.requests_per_s:.0f}" for load in loads)
        for kind, loads in runs.items()
    )
    print(f"(each round, requests/s: {rounds})")


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not 1 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=_at_least_one, default=10, help="s per kind (10)")
    parser.add_argument("--rounds", type=_at_least_one, default=3, help="rounds (3)")
    args = parser.parse_args(argv)
    benchlib.warn_about_dotenv(PROG)
    return benchlib.run_in_temp_dir(PROG, lambda tmp: bench(args, tmp))


if __name__ == "__main__":
    raise SystemExit(main())
