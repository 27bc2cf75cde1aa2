"""Schemathesis fuzzes every operation of the app's own OpenAPI, as a user and as an admin.

Checks: every check schemathesis has (``--checks all``) and ours, that no 422 repeats a
password that was sent: no 5xx; every response conforms to the document (schema, status
code, content type, headers); schema-valid input is accepted and schema-violating input
refused; a method the document does not list is 405 with an ``Allow`` header, and an
OPTIONS answer's ``Allow`` matches the document; auth is enforced where it is declared.
The generation runs the examples, coverage (which sends the undeclared methods) and
fuzzing phases, seeded and bounded (20 fuzzed examples an operation).

Schema-valid input that the server refuses by a rule JSON Schema cannot state (a file
must be a decodable image; tag, transformation and date syntax; a new password needs the
current one) is allowed its 415/422 per operation in ``SEMANTIC_REFUSALS``, with the
reason; every other check keeps its defaults there. ``use_after_free`` and
``ensure_resource_availability`` judge sequences of requests, which only the stateful
phase sends; neither this parametrized run nor the CLI run below has that phase (the
document declares no links between operations), so they pass without judging anything.

The app runs in process, once for the module, with its lifespan: it is started with
``asgi_lifespan.LifespanManager`` on an event loop of its own (an anyio blocking portal
thread), and every request, seeding and generated alike, goes through one
``httpx.AsyncClient`` on that loop. The tests are plain functions, so pytest-asyncio's
loop is never involved. Schemathesis' own ASGI transport is not used: it starts the
lifespan itself and its pytest plugin stops it after every test item, which would
restart the app between operations; instead its requests transport is given a
``requests`` session whose adapter hands each prepared request to the running app.

Seeded objects (an admin, a user, a photo, a comment, a rating, a link) are put in place
of generated ids and names about half of the time, so operations reach real objects and
not only 404s; after any request that may have changed them they are put back.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio.from_thread
import httpx
import hypothesis.strategies as st
import pytest
import requests
import schemathesis
import urllib3
from fastapi import FastAPI
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi import checks as openapi_checks

from photoshare.app import create_app
from photoshare.config import Settings
from tests.media import samples
from tests.real_mongodb import DATABASES
from tests.servers import lifespan, serving


@schemathesis.check
def no_echoed_password(ctx: Any, response: Any, case: schemathesis.Case[Any]) -> bool | None:
    """A 422 never repeats a password the request sent (in any field named like one)."""
    if response.status_code != 422 or not isinstance(case.body, dict):
        return None
    # A password may happen to be part of something else the request sent (the 422 may
    # repeat an id in the path, for one): only a password found nowhere else counts.
    others = [str(value) for name, value in case.body.items() if "password" not in str(name)]
    others += [str(value) for value in (case.path_parameters or {}).values()]
    others += [str(value) for value in (case.query or {}).values()]
    for name, value in case.body.items():
        secret = isinstance(value, str) and len(value) >= 8 and "password" in str(name)
        if secret and not any(value in other for other in others):
            assert value not in response.text, f"the 422 repeats the {name} that was sent"
    return None


# Every check schemathesis has (``--checks all``), the OpenAPI ones registered on import.
assert openapi_checks.unsupported_method in REGISTERED_CHECKS.get_all()
CHECKS = REGISTERED_CHECKS.get_all()
assert no_echoed_password in CHECKS

CONFIG = {
    # Reproducible: the same cases on every run and machine, no example database.
    "seed": 20260601,
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    "generation": {
        "mode": "all",  # valid and invalid input alike
        "max-examples": 20,
        "deterministic": True,
        "database": "none",
    },
}

# Operations whose 422 (415) on schema-valid input is a rule the schema cannot state:
# what is allowed there beyond the other checks' defaults, and why.
SEMANTIC_REFUSALS: dict[str, tuple[list[str], str]] = {
    "POST /api/v1/photos": (["415", "422"], "the file must be a decodable image; tag rules"),
    "PUT /api/v1/users/me/avatar": (["415", "422"], "the file must be a decodable image"),
    "PUT /api/v1/photos/{photo_id}": (["422"], "tags: at most 5 after splitting on commas"),
    "POST /api/v1/photos/{photo_id}/links": (["422"], "the transformation grammar and bounds"),
    # A policy's expires_at must lie in the future, which a date-time format cannot say.
    "POST /api/v1/albums/{album_id}/links": (["422"], "expires_at must be in the future"),
    "PATCH /api/v1/users/me": (["422"], "a new password needs the current one"),
    # 1-1000 characters after trimming: whitespace alone is an empty comment.
    "POST /api/v1/photos/{photo_id}/comments": (["422"], "whitespace alone is no comment"),
    "PUT /api/v1/photos/{photo_id}/comments/{comment_id}": (["422"], "whitespace alone"),
    # A pattern for an offset-less datetime cannot say that its day exists (2024-02-30).
    "GET /api/v1/photos": (["422"], "date_from/date_to must be days and times that exist"),
    # A title of whitespace alone is no title; a cover must be a photo in the album; a new
    # order must hold the album's photos, each once.
    "POST /api/v1/albums": (["422"], "whitespace alone is no title"),
    "PATCH /api/v1/albums/{album_id}": (["422"], "the cover must be in the album; blank title"),
    "PUT /api/v1/albums/{album_id}/photos": (["422"], "the album's own photos, each once"),
    # Any string fits the schema; only a token that was mailed and is unspent is accepted.
    "POST /api/v1/auth/password-reset/confirm": (["400"], "the token must be a live mailed one"),
}
POSITIVE_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429"]

# Operations where some input the schema calls invalid is rightly accepted, and why;
# negative_data_rejection is off there, every other check stays on.
ACCEPTED_BEYOND_SCHEMA = {
    # A comment is 1-1000 characters after trimming (shared/API.md): 1000 characters with
    # spaces around them are accepted, and JSON Schema's maxLength cannot count after trimming.
    "POST /api/v1/photos/{photo_id}/comments": "maxLength counts the text after trimming",
    "PUT /api/v1/photos/{photo_id}/comments/{comment_id}": "maxLength counts after trimming",
    # Multipart fields are text: a "wrong type" (tags: "AAA" instead of ["AAA"]) is sent as
    # the very same bytes as a right one.
    "POST /api/v1/photos": "multipart form fields carry no JSON types",
    "PUT /api/v1/users/me/avatar": "multipart form fields carry no JSON types",
}


def _operation_checks(name: str) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    if name in SEMANTIC_REFUSALS:
        statuses = POSITIVE_STATUSES + SEMANTIC_REFUSALS[name][0]
        checks["positive_data_acceptance"] = {"expected-statuses": statuses}
    if name in ACCEPTED_BEYOND_SCHEMA:
        checks["negative_data_rejection"] = {"enabled": False}
    return checks


CONFIG["operations"] = [
    {"include-name": name, "checks": _operation_checks(name)}
    for name in sorted({*SEMANTIC_REFUSALS, *ACCEPTED_BEYOND_SCHEMA})
]

BASE_URL = "http://testserver"
PASSWORD = "correct horse 1"
PATH_PARAM = re.compile(r"{(\w+)}")


class Served:
    """The app, started with its lifespan on a loop of its own, driven synchronously."""

    def __init__(self, portal: anyio.from_thread.BlockingPortal, client: httpx.AsyncClient):
        self.portal = portal
        self.client = client

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(partial(self.client.request, method, url, **kwargs))


class ServedAdapter(requests.adapters.HTTPAdapter):
    """Hands each request ``requests`` prepared (schemathesis' wire format) to the app."""

    def __init__(self, served: Served) -> None:
        super().__init__()
        self.served = served

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        body = request.body.encode() if isinstance(request.body, str) else request.body
        reply = self.served.request(
            str(request.method),
            str(request.url),
            headers=dict(request.headers),
            content=body,
            follow_redirects=False,
        )
        headers = urllib3.HTTPHeaderDict()
        for name, value in reply.headers.multi_items():
            headers.add(name, value)
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(reply.content),
            headers=headers,
            status=reply.status_code,
            reason=reply.reason_phrase,
            version=11,
            preload_content=False,
        )
        return self.build_response(request, raw)


@dataclass
class Account:
    username: str
    email: str
    token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    """The seeded objects, kept in place through the running app."""

    served: Served
    session: requests.Session
    admin: Account
    user: Account
    photo_id: str = ""
    media_key: str = ""
    comment_id: str = ""
    link_id: str = ""
    slug: str = ""
    album_id: str = ""
    # A second login of each account (not the one its token belongs to): a session to end.
    spare_sessions: dict[str, str] = field(default_factory=dict)
    etags: list[str] = field(default_factory=list)
    cases: dict[str, int] = field(default_factory=dict)

    def call(
        self, method: str, path: str, account: Account | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = account.headers if account else {}
        return self.served.request(method, path, headers=headers, **kwargs)

    def login(self, account: Account) -> str:
        response = self.call(
            "POST", "/api/v1/auth/login", data={"username": account.email, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def restore(self) -> None:
        """Put every seeded object back as it was, whatever the last request changed."""
        for account in (self.admin, self.user):
            me = self.call("GET", "/api/v1/users/me", account)
            if me.status_code != 200:  # banned, so its logins were ended
                unbanned = self.call("POST", f"/api/v1/users/{account.username}/unban", self.admin)
                assert unbanned.status_code == 200, unbanned.text
                account.token = self.login(account)
                me = self.call("GET", "/api/v1/users/me", account)
            assert me.status_code == 200, me.text
            account.username, account.email = me.json()["username"], me.json()["email"]
        assert self.call("GET", "/api/v1/users/me", self.admin).json()["role"] == "admin"
        if self.call("GET", "/api/v1/users/me", self.user).json()["role"] != "user":
            demoted = self.call(
                "PATCH",
                f"/api/v1/users/{self.user.username}/role",
                self.admin,
                json={"role": "user"},
            )
            assert demoted.status_code == 200, demoted.text

        if self.call("GET", f"/api/v1/photos/{self.photo_id}").status_code != 200:
            uploaded = self.call(
                "POST",
                "/api/v1/photos",
                self.user,
                files={"file": ("seed.jpg", samples.jpeg(), "image/jpeg")},
                data={"description": "seeded photo", "tags": "seed"},
            )
            assert uploaded.status_code == 201, uploaded.text
            self.photo_id = uploaded.json()["id"]
            self.media_key = urlsplit(uploaded.json()["url"]).path.removeprefix("/media/")
        comments = self.call("GET", f"/api/v1/photos/{self.photo_id}/comments").json()
        if not any(c["id"] == self.comment_id for c in comments["items"]):
            comment = self.call(
                "POST",
                f"/api/v1/photos/{self.photo_id}/comments",
                self.user,
                json={"text": "seeded comment"},
            )
            assert comment.status_code == 201, comment.text
            self.comment_id = comment.json()["id"]
        photo = self.call("GET", f"/api/v1/photos/{self.photo_id}").json()
        if photo["rating"]["count"] == 0:
            rated = self.call(
                "POST", f"/api/v1/photos/{self.photo_id}/ratings", self.admin, json={"stars": 4}
            )
            assert rated.status_code == 201, rated.text
        if self.call("GET", f"/api/v1/links/{self.link_id}").status_code != 200:
            link = self.call(
                "POST",
                f"/api/v1/photos/{self.photo_id}/links",
                self.user,
                json={"transformation": "e_grayscale"},
            )
            assert link.status_code in (200, 201), link.text
            self.link_id = link.json()["id"]
            self.slug = urlsplit(link.json()["url"]).path.removeprefix("/s/")
        self._restore_album()
        self._restore_spare_sessions()
        self.etags = [
            self.call("GET", f"/media/{self.media_key}").headers["etag"],
            self.call("GET", f"/s/{self.slug}").headers["etag"],
        ]

    def _restore_album(self) -> None:
        """The user's album, holding the seeded photo."""
        album = self.call("GET", f"/api/v1/albums/{self.album_id}", self.user)
        if album.status_code != 200:
            album = self.call("POST", "/api/v1/albums", self.user, json={"title": "seeded album"})
            assert album.status_code == 201, album.text
            self.album_id = album.json()["id"]
        if album.json()["photos_count"] == 0:
            added = self.call(
                "POST",
                f"/api/v1/albums/{self.album_id}/photos",
                self.user,
                json={"photo_id": self.photo_id},
            )
            assert added.status_code == 200, added.text

    def _restore_spare_sessions(self) -> None:
        """Each account's spare login, logged in again once a case ended it."""
        for account in (self.admin, self.user):
            listed = self.call("GET", "/api/v1/auth/sessions", account)
            assert listed.status_code == 200, listed.text
            others = [s["id"] for s in listed.json()["items"] if not s["current"]]
            if self.spare_sessions.get(account.username) not in others:
                self.login(account)
                listed = self.call("GET", "/api/v1/auth/sessions", account)
                current = {s["id"] for s in listed.json()["items"] if s["current"]}
                newest = listed.json()["items"][0]["id"]
                assert newest not in current
                self.spare_sessions[account.username] = newest

    def real_values(self) -> dict[str, list[str]]:
        """Seeded values by parameter name, to put in place of generated ones."""
        names = [self.user.username, self.admin.username]
        return {
            "photo_id": [self.photo_id],
            "comment_id": [self.comment_id],
            "link_id": [self.link_id],
            "album_id": [self.album_id],
            "session_id": [
                self.spare_sessions[self.user.username],
                self.spare_sessions[self.admin.username],
            ],
            "slug": [self.slug],
            "key": [self.media_key],
            "username": names,
            "owner": names,
            "tag": ["seed"],
            "if-none-match": self.etags,
        }


LOCATIONS = {
    "path_parameters": ParameterLocation.PATH,
    "query": ParameterLocation.QUERY,
    "headers": ParameterLocation.HEADER,
}

# The seeded world of the running module, read by the ``flatmap_case`` hook.
WORLD: list[World] = []


@contextmanager
def _no_environment() -> Iterator[None]:
    """No setting from the developer's shell leaks in (as the suite's autouse fixture does)."""
    with pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):
            if name.startswith("PHOTOSHARE_") or name == "CLOUDINARY_URL":
                env.delenv(name)
        yield


def _settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "argon2_parallelism": 1,
        # Every request here comes from one client address and the fuzzer fails to log in
        # many times over; the per-address throttle would otherwise lock the seeding out
        # of logging the accounts back in. The 429 itself is tested in tests/auth.
        "login_max_failures_per_address": 1_000_000,
        # The fuzzer writes far more than a person would; the write limits' 429s are
        # tested in tests/test_rate_limits.py.
        "rate_limit_comments_per_minute": 1_000_000,
        "rate_limit_uploads_per_hour": 1_000_000,
        "rate_limit_links_per_hour": 1_000_000,
    }
    values.update(overrides)
    with _no_environment():
        return Settings(_env_file=None, **values)


def _load_schema() -> Any:
    """The app's own OpenAPI document, read at collection so each operation is a test.

    Only the document is needed here: this app is never started (no lifespan, nothing
    written, a fixed key); requests go to the one the ``world`` fixture runs.
    """
    app = create_app(_settings(Path("unused"), secret_key="fuzz-schema-only-" + "k" * 32))
    return schemathesis.openapi.from_dict(
        app.openapi(), config=schemathesis.Config.from_dict(CONFIG)
    )


schema = _load_schema()


@asynccontextmanager
async def _running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan, and a client to it (entered on the portal's loop)."""
    # raise_app_exceptions=False: an unhandled error is the 500 a client would see.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        lifespan(app),
        httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("fuzz") / "data"
    # On a test MongoDB server (tests/real_mongodb.py), the fuzzing reaches it: the inputs a
    # real server refuses and mongomock takes (a NUL byte in a $regex) show there.
    app = create_app(_settings(data_dir, **DATABASES.settings(data_dir)))
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(_running(app)) as client,
        requests.Session() as session,
    ):
        served = Served(portal, client)
        session.mount(BASE_URL, ServedAdapter(served))
        accounts = []
        for name in ("fuzzadmin", "fuzzuser"):  # the first account is the admin
            signup = served.request(
                "POST",
                "/api/v1/auth/signup",
                json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
            )
            assert signup.status_code == 201, signup.text
            accounts.append(Account(username=name, email=f"{name}@example.com"))
        world = World(served=served, session=session, admin=accounts[0], user=accounts[1])
        for account in accounts:
            account.token = world.login(account)
        world.restore()
        WORLD.append(world)
        yield world
        WORLD.clear()
        print(f"\nschemathesis cases sent: {world.cases}")


def _with_real_values(
    case: schemathesis.Case[Any], names: list[tuple[str, str]], picks: list[tuple[bool, int]]
) -> schemathesis.Case[Any]:
    if not WORLD:
        return case
    real = WORLD[0].real_values()
    parts = {
        "path_parameters": dict(case.path_parameters or {}),
        "query": dict(case.query or {}),
        "headers": dict(case.headers or {}),
    }
    for (part, name), (use, index) in zip(names, picks, strict=True):
        # A part generated to be invalid stays invalid: the checks expect it refused.
        negated = case.meta is not None and case.meta.is_negative_at(LOCATIONS[part])
        if use and not negated:
            parts[part][name] = real[name][index % len(real[name])]
    for part, values in parts.items():
        if values:
            setattr(case, part, values)
    return case


@schema.hook
def flatmap_case(
    context: schemathesis.HookContext, case: schemathesis.Case[Any]
) -> st.SearchStrategy[schemathesis.Case[Any]]:
    """Put seeded ids and names in place of generated ones, each about half of the time."""
    names = [("path_parameters", name) for name in PATH_PARAM.findall(case.operation.path)]
    names += [("query", name) for name in ("owner", "tag") if name in (case.query or {})]
    names += [("headers", name) for name in ("if-none-match",) if name in (case.headers or {})]
    picks = st.lists(
        st.tuples(st.booleans(), st.integers(0, 1)), min_size=len(names), max_size=len(names)
    )
    return picks.map(lambda chosen: _with_real_values(case, names, chosen))


def _checks_for(case: schemathesis.Case[Any]) -> list[Any]:
    """Every check, less negative_data_rejection where ACCEPTED_BEYOND_SCHEMA says why."""
    if f"{case.method.upper()} {case.operation.path}" not in ACCEPTED_BEYOND_SCHEMA:
        return CHECKS
    return [check for check in CHECKS if check.__name__ != "negative_data_rejection"]


def run_case(case: schemathesis.Case[Any], world: World, role: str) -> None:
    """Send one generated request as ``role`` and check the answer."""
    account = world.admin if role == "admin" else world.user
    token = account.token
    if case.operation.path == "/api/v1/auth/logout":
        # Logging out ends the login the token belongs to: use a login of its own.
        token = world.login(account)
    response = case.call_and_validate(
        base_url=BASE_URL,
        session=world.session,
        headers={"Authorization": f"Bearer {token}"},
        checks=_checks_for(case),
    )
    world.cases[role] = world.cases.get(role, 0) + 1
    if case.method.upper() != "GET" and response.status_code < 400:
        # A ban, a role change, a deletion, a renamed account: put the seeded world back.
        world.restore()


@schema.parametrize()
def test_every_operation_as_a_user(case: schemathesis.Case[Any], world: World) -> None:
    run_case(case, world, "user")


@schema.parametrize()
def test_every_operation_as_an_admin(case: schemathesis.Case[Any], world: World) -> None:
    run_case(case, world, "admin")


def _cli_config() -> str:
    """CONFIG's bounds and the semantic refusals as ``schemathesis.toml`` for the CLI."""
    lines = [
        f"seed = {CONFIG['seed']}",
        f"suppress-health-check = {json.dumps(CONFIG['suppress-health-check'])}",
        "[generation]",
        "max-examples = 3",
        "deterministic = true",
        'database = "none"',
        # Every check, as --checks all would; the flag would override the per-operation
        # settings below, so the config file enables them instead.
        "[checks]",
        "enabled = true",
    ]
    for item in CONFIG["operations"]:
        lines += ["[[operations]]", f"include-name = {json.dumps(item['include-name'])}"]
        checks = item["checks"]
        if "positive_data_acceptance" in checks:
            statuses = checks["positive_data_acceptance"]["expected-statuses"]
            lines.append(
                f"checks.positive_data_acceptance.expected-statuses = {json.dumps(statuses)}"
            )
        if "negative_data_rejection" in checks:
            lines.append("checks.negative_data_rejection.enabled = false")
    return "\n".join(lines) + "\n"


def test_the_cli_with_every_check_against_a_real_server(tmp_path: Path) -> None:
    """``st run --checks all`` (its coverage phase, seeded) against ``photoshare serve``."""
    config = tmp_path / "schemathesis.toml"
    config.write_text(_cli_config())
    with serving(
        tmp_path / "data",
        tmp_path / "serve.log",
        PHOTOSHARE_LOGIN_MAX_FAILURES_PER_ADDRESS="1000000",
        PHOTOSHARE_RATE_LIMIT_COMMENTS_PER_MINUTE="1000000",
        PHOTOSHARE_RATE_LIMIT_UPLOADS_PER_HOUR="1000000",
        PHOTOSHARE_RATE_LIMIT_LINKS_PER_HOUR="1000000",
    ) as server:
        account = {"username": "cliuser", "email": "cli@example.com", "password": PASSWORD}
        assert httpx.post(f"{server.base}/api/v1/auth/signup", json=account).status_code == 201
        login = httpx.post(
            f"{server.base}/api/v1/auth/login",
            data={"username": account["email"], "password": PASSWORD},
        )
        token = login.json()["access_token"]
        run = subprocess.run(
            [
                str(Path(sys.executable).parent / "st"),
                "--config-file",
                str(config),
                "run",
                f"{server.base}/openapi.json",
                # Coverage sends the undeclared methods and the edge values; the examples
                # and the fuzzing are the in-process tests' above.
                "--phases",
                "coverage",
                "--header",
                f"Authorization: Bearer {token}",
                "--exclude-path",
                "/api/v1/auth/logout",  # it would end the login every other case uses
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
    print(run.stdout[-3000:])
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
