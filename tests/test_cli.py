"""`photoshare serve` as a real process: it serves, stops cleanly and keeps its data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from photoshare import datadir
from tests.servers import ServeProcess, free_port, photoshare, photoshare_env, serving


@contextmanager
def serve(data_dir: Path, **extra_env: str) -> Iterator[ServeProcess]:
    """``tests.servers.serving`` with a log of its own for each start on ``data_dir``."""
    log = data_dir / f"serve-{time.monotonic_ns()}.log"
    with serving(data_dir, log, **extra_env) as server:
        yield server


@pytest.mark.embedded_only
def test_serve_then_restart_keeps_accounts(tmp_path: Path) -> None:
    account = {"username": "keeper", "email": "keeper@example.com", "password": "long enough"}
    with serve(tmp_path) as first:
        assert httpx.post(f"{first.base}/api/v1/auth/signup", json=account).status_code == 201
    assert "embedded mode" in first.output
    assert "stopped cleanly" in first.output

    with serve(tmp_path) as second:
        base = second.base
        login = httpx.post(
            f"{base}/api/v1/auth/login", data={"username": "keeper", "password": "long enough"}
        )
        assert login.status_code == 200
        me = httpx.get(
            f"{base}/api/v1/users/me",
            headers={"Authorization": f"Bearer {login.json()['access_token']}"},
        )
        assert me.json()["role"] == "admin"


@pytest.mark.parametrize("mongodb", [False, True])
def test_several_workers_need_mongodb_and_redis(tmp_path: Path, mongodb: bool) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOSHARE_")}
    env["PHOTOSHARE_DATA_DIR"] = str(tmp_path)
    if mongodb:  # MongoDB alone is not enough: logouts and lockouts live in Redis
        env.update(
            PHOTOSHARE_MONGODB_URL="mongodb://127.0.0.1:1",
            PHOTOSHARE_SECRET_KEY="k" * 40,
            PHOTOSHARE_PUBLIC_BASE_URL="https://p.example",
        )
    result = subprocess.run(
        [sys.executable, "-m", "photoshare.cli", "serve", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "PHOTOSHARE_REDIS_URL" in result.stderr


@pytest.mark.embedded_only
def test_json_logs_carry_the_request_id(tmp_path: Path) -> None:
    with serve(tmp_path, PHOTOSHARE_LOG_JSON="true") as server:
        response = httpx.get(f"{server.base}/healthz", headers={"X-Request-ID": "probe-1234"})
        assert response.headers["x-request-id"] == "probe-1234"
    lines = [json.loads(line) for line in server.output.splitlines() if line.startswith("{")]
    assert any("embedded mode" in line["message"] for line in lines)
    access = [line for line in lines if line["request_id"] == "probe-1234"]
    assert access and "GET /healthz" in access[0]["message"]


def _run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOSHARE_")}
    env.update(
        PHOTOSHARE_DATA_DIR=str(tmp_path),
        PHOTOSHARE_ARGON2_MEMORY_KIB="64",
        PHOTOSHARE_ARGON2_TIME_COST="1",
    )
    return subprocess.run(
        [sys.executable, "-m", "photoshare.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_create_admin_on_an_empty_store_can_log_in(tmp_path: Path) -> None:
    made = _run(
        tmp_path,
        "create-admin",
        "--username",
        "root",
        "--email",
        "root@example.com",
        stdin="a long admin password\n",
    )
    assert made.returncode == 0, made.stderr
    assert "created admin root" in made.stdout
    refused = _run(tmp_path, "create-admin", "--username", "x", "--email", "bad", stdin="short\n")
    assert refused.returncode == 1
    assert "email" in refused.stderr and "password" in refused.stderr
    # Even where logins wait for email confirmation, the operator-made admin can log in.
    with serve(tmp_path, PHOTOSHARE_REQUIRE_EMAIL_CONFIRMATION="true") as server:
        login = httpx.post(
            f"{server.base}/api/v1/auth/login",
            data={"username": "root", "password": "a long admin password"},
        )
        assert login.status_code == 200
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        assert (
            httpx.get(f"{server.base}/api/v1/users/me", headers=headers).json()["role"] == "admin"
        )
        # The next account to sign up is not an admin.
        later = httpx.post(
            f"{server.base}/api/v1/auth/signup",
            json={"username": "later", "email": "l@example.com", "password": "long enough"},
        )
        assert later.json()["role"] == "user"


@pytest.mark.embedded_only
def test_demo_fills_the_store_and_indexes_check_out(tmp_path: Path) -> None:
    public = "https://photos.example.org"
    # Signups of the demo need no captcha, even where one is configured (and unreachable).
    captcha = {
        "PHOTOSHARE_HCAPTCHA_SITEKEY": "10000000-ffff-ffff-ffff-000000000001",
        "PHOTOSHARE_HCAPTCHA_SECRET": "0x0000000000000000000000000000000000000000",
        "PHOTOSHARE_HCAPTCHA_VERIFY_URL": f"http://127.0.0.1:{free_port()}/siteverify",
    }
    demo = photoshare(tmp_path, "demo", PHOTOSHARE_PUBLIC_BASE_URL=public, **captcha)
    assert demo.returncode == 0, demo.stderr
    assert "12 photos" in demo.stdout
    # What it prints points where people reach the server, not where it listens.
    assert f"the album: {public}/\n" in demo.stdout
    assert f"a share link: {public}/s/" in demo.stdout
    with serve(tmp_path) as server:
        photos = httpx.get(f"{server.base}/api/v1/photos").json()
        assert photos["total"] == 12
        first = photos["items"][0]
        assert first["rating"]["count"] == 2 and first["comments_count"] == 1
        # Camera-sized photos, landscape and portrait.
        sizes = {(photo["width"], photo["height"]) for photo in photos["items"]}
        assert (4032, 3024) in sizes and any(w < h for w, h in sizes)
        assert all(w * h >= 12_000_000 for w, h in sizes)
        image = httpx.get(first["url"])
        assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
        assert httpx.get(f"{server.base}/api/v1/tags").json()["total"] > 5
    checked = _run(tmp_path, "check-indexes")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout == "indexes are as declared\n"

    again = photoshare(tmp_path, "demo")
    assert again.returncode == 1
    assert "Traceback" not in again.stderr
    assert "sample accounts ada, grace, linus already exist" in again.stderr
    assert "PHOTOSHARE_DATA_DIR=./demo-data photoshare demo" in again.stderr
    assert _stored(tmp_path, "photos") == 12


def _stored(data_dir: Path, collection: str) -> int:
    """How many documents the collection holds, read by `photoshare export-json`."""
    exported = photoshare(data_dir, "export-json")
    assert exported.returncode == 0, exported.stderr
    return len(json.loads(exported.stdout).get(collection, []))


@pytest.mark.embedded_only
def test_demo_after_the_api_guide_says_what_to_do_and_changes_nothing(tmp_path: Path) -> None:
    # The API guide signs up ada first; here ada is an admin with a password of her own.
    admin = ["create-admin", "--username", "ada", "--email", "ada@example.com"]
    created = photoshare(tmp_path, *admin, stdin="correct horse battery\n")
    assert created.returncode == 0, created.stderr

    demo = photoshare(tmp_path, "demo")
    assert demo.returncode == 1
    assert demo.stdout == ""
    assert "Traceback" not in demo.stderr
    assert "sample accounts ada already exist" in demo.stderr
    assert "API guide" in demo.stderr and "PHOTOSHARE_DATA_DIR=" in demo.stderr
    assert _stored(tmp_path, "users") == 1
    assert _stored(tmp_path, "photos") == 0


@pytest.mark.embedded_only
def test_a_second_server_or_a_writing_command_is_refused_while_one_serves(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    admin = ["create-admin", "--username", "root", "--email", "root@example.com"]
    writers = [
        ["serve", "--port", str(free_port())],
        ["demo"],
        ["check-storage", "--apply"],
        admin,
    ]
    readers = [["check-storage"], ["check-indexes"]]
    with serving(data_dir, tmp_path / "first.log") as first:
        holder = f"process {first.process.pid}"
        with ThreadPoolExecutor(max_workers=3) as pool:
            runs = list(
                pool.map(
                    lambda args: photoshare(data_dir, *args, stdin="a long admin password\n"),
                    writers + readers,
                )
            )
        for args, refused in zip(writers, runs, strict=False):
            assert refused.returncode == 1, (args, refused.stderr)
            assert str(data_dir) in refused.stderr and holder in refused.stderr, args
            assert "Traceback" not in refused.stderr
        # Reports only read: they run, and the storage report says a server holds the dir.
        storage_report, index_report = runs[len(writers) :]
        assert storage_report.returncode == 0, storage_report.stdout + storage_report.stderr
        assert holder in storage_report.stdout
        assert index_report.returncode == 0, index_report.stdout
        # The first server went on serving, and nothing was added behind its back.
        assert httpx.get(f"{first.base}/api/v1/photos").json()["total"] == 0
        assert first.stop() == 0
    # Once it stopped, a command that writes runs.
    assert photoshare(data_dir, "check-storage", "--apply").returncode == 0


@pytest.mark.embedded_only
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_stops_the_server_cleanly(tmp_path: Path, stop_signal: int) -> None:
    data_dir = tmp_path / "data"
    account = {"username": "keeper", "email": "keeper@example.com", "password": "long enough"}
    with serving(data_dir, tmp_path / "first.log") as first:
        assert httpx.post(f"{first.base}/api/v1/auth/signup", json=account).status_code == 201
        assert first.stop(stop_signal) == 0
    assert "embedded database saved" in first.output
    assert "stopped cleanly" in first.output
    assert "Traceback" not in first.output


@pytest.mark.embedded_only
def test_ctrl_c_in_a_command_prints_no_traceback(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "photoshare.cli", "demo"],
        env=photoshare_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while datadir.holder(tmp_path) is None:  # the demo has started
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 130, errors
    assert "interrupted" in errors and "Traceback" not in errors
    assert datadir.holder(tmp_path) is None
