"""The operations behind the CLI: create an admin, fill a demo store, check indexes and storage."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager

import httpx

from photoshare import datadir, db, indexes, orphans
from photoshare.app import create_app, document_models, lifespan
from photoshare.auth import service as auth_service
from photoshare.auth.schemas import SignupRequest
from photoshare.config import Settings
from photoshare.db import DuplicateKeyError, collection
from photoshare.demo.photos import DEMO_PHOTOS, demo_jpeg
from photoshare.photos import backfill
from photoshare.runtime import Runtime
from photoshare.users import service as users_service
from photoshare.users.models import Role, SiteClaim, User


@asynccontextmanager
async def running(
    settings: Settings, *, read_only: bool = False
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    """The app with its clients open, and an HTTP client that calls it in-process."""
    app = create_app(settings, read_only=read_only)
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            yield client, app.state.runtime


async def create_admin(settings: Settings, username: str, email: str, password: str) -> User:
    """Create an admin account (for a fresh production database)."""
    data = SignupRequest(username=username, email=email, password=password)
    async with running(settings) as (_, runtime):
        user = await auth_service.signup(runtime, data, client_address=None)
        # An operator vouches for this address: the admin can log in even when
        # PHOTOSHARE_REQUIRE_EMAIL_CONFIRMATION is on.
        await collection(User).update_one(
            {"_id": user.id}, {"$set": {"role": Role.admin.value, "email_confirmed": True}}
        )
        user.role, user.email_confirmed = Role.admin, True
        # Nobody who signs up later becomes admin by being first.
        with contextlib.suppress(DuplicateKeyError):
            await SiteClaim(id=auth_service.FIRST_ADMIN_CLAIM, user_id=str(user.id)).insert()
        return user


async def check_indexes(settings: Settings, *, apply: bool) -> tuple[list[str], bool]:
    """Report how the existing indexes differ from the declared ones; ``apply`` fixes them.

    Returns the report and whether the indexes are as declared (after the fix, if applied).
    """
    if not apply:
        # Read only: next to a running server too, and nothing is built.
        database = await db.connect(settings, document_models(), read_only=True)
        try:
            found = await indexes.differences(document_models())
        finally:
            await database.close()
        lines = [difference.describe() for difference in found]
        if found:
            lines.append(f"run `{indexes.APPLY_COMMAND}` to make them as declared")
        return lines or ["indexes are as declared"], not found
    with _holding_embedded(settings):
        database = await db.connect(settings, document_models(), build_indexes=False)
        try:
            lines = await indexes.apply(document_models(), embedded=settings.embedded)
            left = await indexes.differences(document_models())
        finally:
            await database.close()
    lines += [difference.describe() for difference in left]
    return [*lines, "indexes are as declared" if not left else "differences remain"], not left


@contextlib.contextmanager
def _holding_embedded(settings: Settings) -> Iterator[None]:
    """Hold the embedded data dir while its indexes change (refused while a server runs)."""
    if not settings.embedded:
        yield
        return
    with datadir.holding(settings.data_dir):
        yield


async def check_storage(settings: Settings, *, apply: bool) -> tuple[list[str], bool]:
    """Report what the data dir holds that it should not; with ``apply``, remove it.

    Returns the report and whether the data dir is sound (after the repair, if applied).
    """
    now, grace = time.time(), settings.orphan_grace_seconds
    # Writing commands hold the embedded data dir; a report may run next to a server.
    serving = None if apply or not settings.embedded else datadir.holder(settings.data_dir)
    owned = settings.embedded and serving is None
    # Only files are removed, never records: the database is opened read-only.
    async with running(settings, read_only=True) as (_, runtime):
        found = await orphans.survey(
            runtime, temp_before=now if owned else now - grace, orphan_before=now - grace
        )
        if apply:
            await orphans.remove(runtime, found.temp_files, "temp file")
            await orphans.remove(runtime, found.orphans, "unreferenced file")
    lines = [] if serving is None else [_SERVING_NOTE.format(holder=serving)]
    lines += _storage_lines(settings, found, grace, apply)
    return lines, not found.missing and (apply or not (found.temp_files or found.orphans))


_SERVING_NOTE = (
    "note: {holder} is serving this data dir; this report reads the database as last "
    "saved, so images uploaded since may show as unreferenced"
)


def _listed(files: list[orphans.FoundFile]) -> list[str]:
    return [f"  {found.path}  {orphans.size_text(found.size)}" for found in files]


def _storage_lines(
    settings: Settings, found: orphans.StorageSurvey, grace: int, applied: bool
) -> list[str]:
    lines = [f"temp files: {orphans.total_text(found.temp_files)} in {settings.temp_dir}"]
    lines += _listed(found.temp_files)
    if not found.reconciled:
        lines.append("images are on Cloudinary: only temp files are checked")
        return lines
    lines.append(f"unreferenced files older than {grace} s: {orphans.total_text(found.orphans)}")
    lines += _listed(found.orphans)
    lines.append(f"unreferenced files younger than {grace} s, kept: {len(found.recent)}")
    lines.append(f"photos and avatars without their file: {len(found.missing)}")
    lines += [f"  {key}" for key in found.missing]
    if applied:
        removed = found.temp_files + found.orphans
        lines.append(f"removed {orphans.total_text(removed)} files")
    elif found.temp_files or found.orphans:
        lines.append("run `photoshare check-storage --apply` to remove them")
    return lines


async def backfill_derivatives(settings: Settings, show: Callable[[str], None]) -> bool:
    """Give photos stored before display sizes existed their sizes and placeholder.

    Shows progress through ``show``; returns whether every photo has them now.
    """
    async with running(settings) as (_, runtime):
        lacking = await backfill.count_lacking()
        if not lacking:
            show("every photo has its display sizes; nothing to do")
            return True
        show(f"making display sizes and placeholders of {lacking} photos")
        every = max(1, lacking // 20)

        def report(progress: backfill.BackfillProgress) -> None:
            handled = progress.done + progress.failed
            if handled % every == 0 or handled == progress.total:
                show(f"  {handled}/{progress.total} ({progress.failed} failed)")

        progress = await backfill.backfill(runtime, report)
    show(f"done: {progress.done} photos given display sizes, {progress.failed} failed")
    if progress.failed:
        show("the failures are logged; run the command again to retry them")
    return not progress.failed


DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed for people trying the album
DEMO_USERS = ("ada", "grace", "linus")


class DemoRefused(Exception):
    """The demo cannot fill this store; the message says why and what to do."""


Headers = dict[str, str]


async def _refuse_taken_names(settings: Settings) -> None:
    """Stop, changing nothing, when any sample account exists already."""
    taken = [name for name in DEMO_USERS if await users_service.find_by_username(name)]
    if taken:
        data_dir = settings.data_dir
        raise DemoRefused(
            f"the demo's sample accounts {', '.join(taken)} already exist in {data_dir} "
            "(an earlier photoshare demo, or the API guide's examples, which use the same "
            "names); the demo changed nothing. To see the demo, fill an empty data "
            "directory and serve that one:\n"
            "  PHOTOSHARE_DATA_DIR=./demo-data photoshare demo\n"
            "  PHOTOSHARE_DATA_DIR=./demo-data photoshare serve"
        )


def _expect(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code != status:
        detail = response.json().get("detail") if response.content else response.reason_phrase
        raise DemoRefused(f"{what} failed ({response.status_code}): {detail}")


async def _demo_accounts(client: httpx.AsyncClient) -> dict[str, Headers]:
    """Sign up the demo users and log each in."""
    tokens = {}
    for name in DEMO_USERS:
        body = {"username": name, "email": f"{name}@example.com", "password": DEMO_PASSWORD}
        _expect(await client.post("/api/v1/auth/signup", json=body), 201, f"signing up {name}")
        login = await client.post(
            "/api/v1/auth/login", data={"username": name, "password": DEMO_PASSWORD}
        )
        _expect(login, 200, f"logging in as {name}")
        tokens[name] = {"Authorization": f"Bearer {login.json()['access_token']}"}
    return tokens


async def _demo_photos(client: httpx.AsyncClient, tokens: dict[str, Headers]) -> list[str]:
    """Upload the sample photos, taking turns among the demo users; return their ids.

    The next photo is drawn in a worker thread while this one uploads.
    """
    photo_ids = []
    drawing = asyncio.create_task(asyncio.to_thread(demo_jpeg, DEMO_PHOTOS[0], 0))
    try:
        for index, photo in enumerate(DEMO_PHOTOS):
            jpeg = await drawing
            if index + 1 < len(DEMO_PHOTOS):
                following = DEMO_PHOTOS[index + 1]
                drawing = asyncio.create_task(asyncio.to_thread(demo_jpeg, following, index + 1))
            response = await client.post(
                "/api/v1/photos",
                files={"file": (f"DSC_{1040 + index}.jpg", jpeg, "image/jpeg")},
                data={"description": photo.description, "tags": photo.tags},
                headers=tokens[_demo_owner(index)],
            )
            _expect(response, 201, f"uploading {photo.description!r}")
            photo_ids.append(str(response.json()["id"]))
    finally:
        drawing.cancel()
    return photo_ids


def _demo_owner(index: int) -> str:
    return DEMO_USERS[index % len(DEMO_USERS)]


async def _demo_reactions(
    client: httpx.AsyncClient, tokens: dict[str, Headers], photo_ids: list[str]
) -> None:
    """Every other demo user rates each photo; the next user along comments on it."""
    rng = random.Random(7)  # noqa: S311 - sample ratings, not secrets
    for index, photo_id in enumerate(photo_ids):
        owner = _demo_owner(index)
        for name in DEMO_USERS:
            if name == owner:
                continue
            await client.post(
                f"/api/v1/photos/{photo_id}/ratings",
                json={"stars": rng.randint(2, 5)},
                headers=tokens[name],
            )
        await client.post(
            f"/api/v1/photos/{photo_id}/comments",
            json={"text": rng.choice(["Lovely light!", "Great colours.", "Where is this?"])},
            headers=tokens[DEMO_USERS[(index + 1) % len(DEMO_USERS)]],
        )


async def demo(settings: Settings) -> list[str]:
    """Fill the store with sample users, photos, comments, ratings and a link.

    Raises DemoRefused, having changed nothing, when the sample accounts exist already.
    """
    # The sample accounts are the operator's doing, like create-admin's: no captcha to solve.
    without_captcha = settings.model_copy(
        update={"hcaptcha_sitekey": None, "hcaptcha_secret": None}
    )
    async with running(without_captcha) as (client, _):
        await _refuse_taken_names(settings)
        tokens = await _demo_accounts(client)
        photo_ids = await _demo_photos(client, tokens)
        await _demo_reactions(client, tokens, photo_ids)
        link = await client.post(
            f"/api/v1/photos/{photo_ids[0]}/links",
            json={"preset": "circle_avatar"},
            headers=tokens[_demo_owner(0)],
        )
        _expect(link, 201, "creating a share link")
    return [
        f"{len(photo_ids)} photos by {', '.join(DEMO_USERS)}",
        f"log in as any of them with the password {DEMO_PASSWORD!r}",
        f"(the first account to sign up is the admin; {DEMO_USERS[0]} if the store was empty)",
        f"the album: {settings.base_url}/",
        f"a share link: {link.json()['url']}",
    ]
