"""Nothing orphaned: leftovers of a stopped or killed process are found and removed."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import pyvips
from asgi_lifespan import LifespanManager

from photoshare.app import create_app
from photoshare.config import Settings
from tests.factories import Account, PhotoFactory, UserFactory
from tests.media import samples
from tests.servers import ServeProcess, photoshare, serving


def _plant(path: Path, size: int = 2048, age_seconds: float = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    if age_seconds:
        then = time.time() - age_seconds
        os.utime(path, (then, then))
    return path


def _leftovers(data_dir: Path, age_seconds: float = 0) -> dict[str, Path]:
    """What a killed process can leave: a temp file, unreferenced images and renders."""
    key = secrets.token_hex(16)
    return {
        "temp": _plant(data_dir / "tmp" / "tmpk1ll3d.upload", age_seconds=age_seconds),
        "image": _plant(data_dir / "media" / "photos" / f"{key}.jpg", age_seconds=age_seconds),
        "partial": _plant(
            data_dir / "media" / "avatars" / f".{key}.png.part", age_seconds=age_seconds
        ),
        "render": _plant(
            data_dir / "renders" / secrets.token_hex(32) / f"{secrets.token_hex(16)}.jpg",
            age_seconds=age_seconds,
        ),
    }


async def _reconciled(caplog: pytest.LogCaptureFixture) -> None:
    """Wait for the start-up reconcile, which runs once the app serves."""
    for _ in range(200):
        if "storage reconciled" in caplog.text:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no reconcile:\n{caplog.text}")


async def _fill(client: httpx.AsyncClient) -> tuple[Account, dict[str, object], str]:
    """A user with an avatar and a photo with a rendered share link; returns the link URL."""
    users, photos = UserFactory(client), PhotoFactory(client)
    owner = await users.create()
    avatar = await client.put(
        "/api/v1/users/me/avatar",
        files={"file": ("me.png", samples.png(64, 64), "image/png")},
        headers=owner.headers,
    )
    assert avatar.status_code == 200, avatar.text
    photo = await photos.upload(owner, samples.jpeg(320, 240))
    link = await client.post(
        f"/api/v1/photos/{photo['id']}/links", json={"preset": "grayscale"}, headers=owner.headers
    )
    assert link.status_code == 201, link.text
    url = str(link.json()["url"]).removeprefix(str(client.base_url))
    assert (await client.get(url)).status_code == 200  # rendered and cached
    return owner, photo, url


async def _still_served(client: httpx.AsyncClient, owner: Account, link_url: str) -> None:
    me = (await client.get("/api/v1/users/me", headers=owner.headers)).json()
    listing = (await client.get("/api/v1/photos")).json()
    for url in [me["avatar_url"], *(p["url"] for p in listing["items"]), link_url]:
        path = str(url).removeprefix(str(client.base_url))
        assert (await client.get(path)).status_code == 200, url


async def test_a_restart_removes_temp_files_and_unreferenced_files(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    settings = make_settings(orphan_grace_seconds=0)
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            owner, _, link_url = await _fill(client)
    left = _leftovers(settings.data_dir)
    foreign = _plant(settings.data_dir / "media" / "README.txt")
    caplog.clear()

    app = create_app(settings)
    async with LifespanManager(app):
        assert not left["temp"].exists()  # gone before the first request is served
        await _reconciled(caplog)
        for path in left.values():
            assert not path.exists(), path
            assert str(path) in caplog.text  # each removal is logged
        assert foreign.exists()  # not a file the service wrote: left alone
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            await _still_served(client, owner, link_url)


async def test_unreferenced_files_younger_than_the_grace_period_stay(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    old = _leftovers(settings.data_dir, age_seconds=2 * settings.orphan_grace_seconds)
    young = _leftovers(settings.data_dir)
    async with LifespanManager(create_app(settings)):
        await _reconciled(caplog)
    assert not any(path.exists() for path in old.values())
    # An upload in flight has its file before its record: young files are not judged yet.
    # (Temp files are removed whatever their age: no upload of a stopped process goes on.)
    assert young["image"].exists() and young["render"].exists() and young["partial"].exists()
    assert not young["temp"].exists()
    assert "keeping 3 (6.0 KB) unreferenced files" in caplog.text


async def test_check_storage_reports_then_repairs(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            owner = await UserFactory(client).create()
            kept = await PhotoFactory(client).upload(owner, samples.jpeg(200, 100))
            lost = await PhotoFactory(client).upload(owner, samples.jpeg(100, 200))
    data_dir = settings.data_dir
    left = _leftovers(data_dir, age_seconds=7200)
    lost_key = str(lost["url"]).split("/media/", 1)[1]
    (data_dir / "media" / lost_key).unlink()  # a photo without its file: reported only

    report = photoshare(data_dir, "check-storage")
    assert report.returncode == 1, report.stderr
    assert "temp files: 1 (2.0 KB)" in report.stdout
    assert "unreferenced files older than 3600 s: 3 (6.0 KB)" in report.stdout
    assert "photos and avatars without their file: 1" in report.stdout
    for path in left.values():
        assert str(path) in report.stdout and path.exists()  # a report changes nothing
    assert lost_key in report.stdout

    repaired = photoshare(data_dir, "check-storage", "--apply")
    assert "removed 4 (8.0 KB) files" in repaired.stdout
    assert not any(path.exists() for path in left.values())
    assert repaired.returncode == 1  # the missing file cannot be made up
    kept_key = str(kept["url"]).split("/media/", 1)[1]
    assert (data_dir / "media" / kept_key).exists()

    (data_dir / "media" / lost_key).write_bytes(samples.jpeg(100, 200))
    clean = photoshare(data_dir, "check-storage")
    assert clean.returncode == 0, clean.stdout
    assert "unreferenced files older than 3600 s: 0 (0 B)" in clean.stdout


@pytest.fixture(scope="module")
def big_jpeg() -> bytes:
    """A 6-megapixel photo of noise: about 9 MB, slow enough to upload and clean."""
    noise = pyvips.Image.gaussnoise(3000, 2000, sigma=40, mean=128).cast("uchar")
    image = noise.bandjoin([noise.rot180(), noise.fliphor()]).copy(interpretation="srgb")
    return bytes(image.jpegsave_buffer(Q=92))


def _login(base: str) -> dict[str, str]:
    account = {"username": "uploader", "email": "up@example.com", "password": "long enough"}
    httpx.post(f"{base}/api/v1/auth/signup", json=account)
    login = httpx.post(f"{base}/api/v1/auth/login", data=account)
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def _upload(base: str, headers: dict[str, str], content: bytes, answers: list[int]) -> None:
    try:
        response = httpx.post(
            f"{base}/api/v1/photos",
            files={"file": ("big.jpg", content, "image/jpeg")},
            headers=headers,
            timeout=120,
        )
    except httpx.TransportError:
        answers.append(0)  # the server died under it
    else:
        answers.append(response.status_code)


def _kill_during_uploads(server: ServeProcess, content: bytes) -> list[int]:
    """Start eight uploads at once; SIGKILL once one is done and others are in flight."""
    headers = _login(server.base)
    answers: list[int] = []
    uploads = [
        threading.Thread(target=_upload, args=(server.base, headers, content, answers))
        for _ in range(8)
    ]
    for upload in uploads:
        upload.start()
    deadline = time.monotonic() + 120
    while 201 not in answers:
        assert time.monotonic() < deadline and len(answers) < 8, answers
        time.sleep(0.01)
    in_flight = list(server.data_dir.joinpath("tmp").iterdir())
    server.kill()
    for upload in uploads:
        upload.join(timeout=120)
    assert in_flight, "no upload was in flight when the server was killed"
    assert server.process.returncode == -signal.SIGKILL
    return answers


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_sigkill_during_uploads_leaves_nothing_orphaned(tmp_path: Path, big_jpeg: bytes) -> None:
    data_dir = tmp_path / "data"
    with serving(data_dir, tmp_path / "first.log") as first:
        headers = _login(first.base)
        for _ in range(2):  # acknowledged and saved by a clean stop
            upload = httpx.post(
                f"{first.base}/api/v1/photos",
                files={"file": ("small.jpg", samples.jpeg(300, 200), "image/jpeg")},
                headers=headers,
            )
            assert upload.status_code == 201
        assert first.stop(signal.SIGTERM) == 0

    with serving(data_dir, tmp_path / "killed.log") as killed:
        answers = _kill_during_uploads(killed, big_jpeg)
    assert answers.count(201) >= 1 and 0 in answers

    with serving(data_dir, tmp_path / "after.log", PHOTOSHARE_ORPHAN_GRACE_SECONDS="0") as after:
        deadline = time.monotonic() + 60
        while "storage reconciled" not in after.output:
            assert time.monotonic() < deadline, after.output
            time.sleep(0.1)
        assert _files(data_dir / "tmp") == set()
        listing = httpx.get(f"{after.base}/api/v1/photos", params={"limit": 100}).json()
        urls = [
            str(url)
            for photo in listing["items"]
            for url in (
                photo["url"],
                photo["sizes"]["thumb"]["url"],
                photo["sizes"]["preview"]["url"],
            )
        ]
        # No file without its photo, and no photo (or display size) without its file.
        assert _files(data_dir / "media") == {url.split("/media/", 1)[1] for url in urls}
        for url in urls:
            assert httpx.get(url).status_code == 200
        assert listing["total"] >= 2  # what was saved before is all there
        assert "Traceback" not in after.output
