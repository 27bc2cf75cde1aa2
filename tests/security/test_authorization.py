"""The authorization matrix: every route, every kind of caller, the status each gets.

The routes come from the app's own OpenAPI at test time; a route without a row here
fails the test, so a new route cannot ship without deciding who may call it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.factories import Account, PhotoFactory, UserFactory
from tests.media import samples

ACTORS = ("anonymous", "user", "owner", "moderator", "admin", "banned", "logged_out")
_names = itertools.count()


@dataclass
class World:
    accounts: dict[str, Account]
    photo: dict[str, Any]
    comment_id: str
    link: dict[str, Any]
    album: dict[str, Any]
    user_refresh: str
    confirm_token: str

    def headers(self, actor: str) -> dict[str, str]:
        return {} if actor == "anonymous" else self.accounts[actor].headers


async def build_world(client: httpx.AsyncClient) -> World:
    users, photos = UserFactory(client), PhotoFactory(client)
    # The first account of the app is the root admin; it only appoints each world's admin,
    # so no caller's action (a logout, say) can take it away.
    root: Account | None = getattr(client, "_root_admin", None)
    if root is None:
        root = await users.create(f"root{next(_names)}")
        client._root_admin = root  # type: ignore[attr-defined]
    admin = await users.create(f"admin{next(_names)}", role="admin", admin=root)
    owner, user = (
        await users.create(f"owner{next(_names)}"),
        await users.create(f"user{next(_names)}"),
    )
    moderator = await users.create(f"mod{next(_names)}", role="moderator", admin=admin)
    banned, logged_out = (
        await users.create(f"ban{next(_names)}"),
        await users.create(f"out{next(_names)}"),
    )
    assert (
        await client.post(f"/api/v1/users/{banned.username}/ban", headers=admin.headers)
    ).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=logged_out.headers)).status_code == 204
    photo = await photos.upload(owner, tags="sea")
    comment = await client.post(
        f"/api/v1/photos/{photo['id']}/comments", json={"text": "hi"}, headers=owner.headers
    )
    rating = await client.post(
        f"/api/v1/photos/{photo['id']}/ratings", json={"stars": 4}, headers=user.headers
    )
    assert rating.status_code == 201
    link = await client.post(
        f"/api/v1/photos/{photo['id']}/links",
        json={"transformation": "e_grayscale"},
        headers=owner.headers,
    )
    album = await client.post("/api/v1/albums", json={"title": "Sea"}, headers=owner.headers)
    assert album.status_code == 201, album.text
    filled = await client.post(
        f"/api/v1/albums/{album.json()['id']}/photos",
        json={"photo_id": photo["id"]},
        headers=owner.headers,
    )
    assert filled.status_code == 200, filled.text
    fresh = await client.post(
        "/api/v1/auth/login", data={"username": user.username, "password": user.password}
    )
    runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]
    from datetime import timedelta

    from photoshare.auth.tokens import TokenType

    token, _ = runtime.tokens.issue(
        TokenType.email_confirmation, str(owner.me["id"]), timedelta(hours=1), email=owner.email
    )
    return World(
        accounts={
            "admin": admin,
            "owner": owner,
            "user": user,
            "moderator": moderator,
            "banned": banned,
            "logged_out": logged_out,
        },
        photo=photo,
        comment_id=comment.json()["id"],
        link=link.json(),
        album=album.json(),
        user_refresh=fresh.json()["refresh_token"],
        confirm_token=token,
    )


Request = Callable[[World, str], tuple[str, dict[str, Any]]]


def fixed(path: str) -> Request:
    return lambda world, actor: (path, {})


def photo_path(suffix: str = "", **kwargs: Any) -> Request:
    return lambda world, actor: (f"/api/v1/photos/{world.photo['id']}{suffix}", dict(kwargs))


def album_path(suffix: str = "", **kwargs: Any) -> Request:
    return lambda world, actor: (f"/api/v1/albums/{world.album['id']}{suffix}", dict(kwargs))


def upload(path: str) -> Request:
    return lambda world, actor: (path, {"files": {"file": ("p.jpg", samples.jpeg(), "image/jpeg")}})


# (method, OpenAPI path) -> (request, expected status for each of ACTORS), and whether it
# changes state (each caller then gets a fresh world).
U, R = "anonymous", None
MATRIX: dict[tuple[str, str], tuple[Request, tuple[int, ...], bool]] = {
    ("POST", "/api/v1/auth/signup"): (
        lambda w, a: (
            "/api/v1/auth/signup",
            {
                "json": {
                    "username": f"new{next(_names)}",
                    "email": f"n{next(_names)}@example.com",
                    "password": "long enough",
                }
            },
        ),
        (201, 201, 201, 201, 201, 201, 201),
        False,
    ),
    ("POST", "/api/v1/auth/login"): (
        lambda w, a: (
            "/api/v1/auth/login",
            {
                "data": {
                    "username": w.accounts["owner"].username,
                    "password": w.accounts["owner"].password,
                }
            },
        ),
        (200, 200, 200, 200, 200, 200, 200),
        False,
    ),
    ("POST", "/api/v1/auth/refresh"): (
        lambda w, a: ("/api/v1/auth/refresh", {"json": {"refresh_token": w.user_refresh}}),
        (200, 200, 200, 200, 200, 200, 200),
        True,
    ),
    ("POST", "/api/v1/auth/logout"): (
        fixed("/api/v1/auth/logout"),
        (401, 204, 204, 204, 204, 401, 401),
        True,
    ),
    ("GET", "/api/v1/auth/confirm"): (
        lambda w, a: ("/api/v1/auth/confirm", {"params": {"token": w.confirm_token}}),
        (200, 200, 200, 200, 200, 200, 200),
        False,
    ),
    # Anyone may ask: the same 202 for every caller, whoever's address it is.
    ("POST", "/api/v1/auth/password-reset"): (
        lambda w, a: (
            "/api/v1/auth/password-reset",
            {"json": {"email": w.accounts["owner"].email}},
        ),
        (202, 202, 202, 202, 202, 202, 202),
        False,
    ),
    ("POST", "/api/v1/auth/password-reset/confirm"): (
        lambda w, a: (
            "/api/v1/auth/password-reset/confirm",
            {"json": {"token": "not-a-mailed-token", "password": "long enough"}},
        ),
        (400, 400, 400, 400, 400, 400, 400),
        False,
    ),
    ("POST", "/api/v1/auth/confirm/resend"): (
        lambda w, a: ("/api/v1/auth/confirm/resend", {"json": {"email": w.accounts["user"].email}}),
        (202, 202, 202, 202, 202, 202, 202),
        False,
    ),
    ("GET", "/api/v1/auth/config"): (fixed("/api/v1/auth/config"), (200,) * 7, False),
    # Sessions are the caller's own: a token is needed, and another's id is unknown (404).
    ("GET", "/api/v1/auth/sessions"): (
        fixed("/api/v1/auth/sessions"),
        (401, 200, 200, 200, 200, 401, 401),
        False,
    ),
    ("DELETE", "/api/v1/auth/sessions/{session_id}"): (
        fixed("/api/v1/auth/sessions/not-a-session-of-yours"),
        (401, 404, 404, 404, 404, 401, 401),
        False,
    ),
    ("DELETE", "/api/v1/auth/sessions"): (
        fixed("/api/v1/auth/sessions"),
        (401, 204, 204, 204, 204, 401, 401),
        True,
    ),
    ("GET", "/api/v1/users"): (fixed("/api/v1/users"), (401, 403, 403, 403, 200, 401, 401), False),
    ("GET", "/api/v1/users/me"): (
        fixed("/api/v1/users/me"),
        (401, 200, 200, 200, 200, 401, 401),
        False,
    ),
    ("PATCH", "/api/v1/users/me"): (
        lambda w, a: ("/api/v1/users/me", {"json": {"bio": "new bio"}}),
        (401, 200, 200, 200, 200, 401, 401),
        False,
    ),
    ("PUT", "/api/v1/users/me/avatar"): (
        upload("/api/v1/users/me/avatar"),
        (401, 200, 200, 200, 200, 401, 401),
        False,
    ),
    ("GET", "/api/v1/users/{username}"): (
        lambda w, a: (f"/api/v1/users/{w.accounts['owner'].username}", {}),
        (200, 200, 200, 200, 200, 200, 200),
        False,
    ),
    ("PATCH", "/api/v1/users/{username}/role"): (
        lambda w, a: (
            f"/api/v1/users/{w.accounts['user'].username}/role",
            {"json": {"role": "moderator"}},
        ),
        (401, 403, 403, 403, 200, 401, 401),
        True,
    ),
    ("POST", "/api/v1/users/{username}/ban"): (
        lambda w, a: (f"/api/v1/users/{w.accounts['user'].username}/ban", {}),
        (401, 403, 403, 403, 200, 401, 401),
        True,
    ),
    ("POST", "/api/v1/users/{username}/unban"): (
        lambda w, a: (f"/api/v1/users/{w.accounts['banned'].username}/unban", {}),
        (401, 403, 403, 403, 200, 401, 401),
        True,
    ),
    ("POST", "/api/v1/photos"): (
        upload("/api/v1/photos"),
        (401, 201, 201, 201, 201, 401, 401),
        False,
    ),
    ("GET", "/api/v1/photos"): (
        fixed("/api/v1/photos"),
        (200, 200, 200, 200, 200, 401, 401),
        False,
    ),
    ("GET", "/api/v1/photos/{photo_id}"): (
        photo_path(),
        (200, 200, 200, 200, 200, 401, 401),
        False,
    ),
    ("PUT", "/api/v1/photos/{photo_id}"): (
        photo_path(json={"description": "changed"}),
        (401, 403, 200, 403, 200, 401, 401),
        False,
    ),
    ("DELETE", "/api/v1/photos/{photo_id}"): (
        photo_path(),
        (401, 403, 204, 403, 204, 401, 401),
        True,
    ),
    # Reads that say what the caller may do (can_edit, can_delete) refuse a dead token.
    ("GET", "/api/v1/photos/{photo_id}/comments"): (
        photo_path("/comments"),
        (200, 200, 200, 200, 200, 401, 401),
        False,
    ),
    ("POST", "/api/v1/photos/{photo_id}/comments"): (
        photo_path("/comments", json={"text": "hello"}),
        (401, 201, 201, 201, 201, 401, 401),
        False,
    ),
    ("PUT", "/api/v1/photos/{photo_id}/comments/{comment_id}"): (
        lambda w, a: (
            f"/api/v1/photos/{w.photo['id']}/comments/{w.comment_id}",
            {"json": {"text": "edited"}},
        ),
        (401, 403, 200, 403, 403, 401, 401),
        False,
    ),
    ("DELETE", "/api/v1/photos/{photo_id}/comments/{comment_id}"): (
        lambda w, a: (f"/api/v1/photos/{w.photo['id']}/comments/{w.comment_id}", {}),
        (401, 403, 403, 204, 204, 401, 401),
        True,
    ),
    ("POST", "/api/v1/photos/{photo_id}/ratings"): (
        photo_path("/ratings", json={"stars": 5}),
        (401, 409, 403, 201, 201, 401, 401),
        False,
    ),
    ("GET", "/api/v1/photos/{photo_id}/ratings"): (
        photo_path("/ratings"),
        (401, 403, 403, 200, 200, 401, 401),
        False,
    ),
    ("DELETE", "/api/v1/photos/{photo_id}/ratings/{username}"): (
        lambda w, a: (f"/api/v1/photos/{w.photo['id']}/ratings/{w.accounts['user'].username}", {}),
        (401, 403, 403, 204, 204, 401, 401),
        True,
    ),
    ("GET", "/api/v1/tags"): (fixed("/api/v1/tags"), (200,) * 7, False),
    ("GET", "/api/v1/transformations"): (fixed("/api/v1/transformations"), (200,) * 7, False),
    ("POST", "/api/v1/photos/{photo_id}/links"): (
        photo_path("/links", json={"transformation": "e_negate"}),
        (401, 201, 201, 201, 201, 401, 401),
        True,
    ),
    # Public, and can_delete for a caller (whose token must then be valid, as for a photo).
    ("GET", "/api/v1/photos/{photo_id}/links"): (
        photo_path("/links"),
        (200, 200, 200, 200, 200, 401, 401),
        False,
    ),
    ("GET", "/api/v1/links/{link_id}"): (
        lambda w, a: (f"/api/v1/links/{w.link['id']}", {}),
        (200, 200, 200, 200, 200, 401, 401),
        False,
    ),
    ("GET", "/api/v1/users/me/links"): (
        fixed("/api/v1/users/me/links"),
        (401, 200, 200, 200, 200, 401, 401),
        False,
    ),
    ("GET", "/api/v1/links/{link_id}/qr"): (
        lambda w, a: (f"/api/v1/links/{w.link['id']}/qr", {}),
        (200,) * 7,
        False,
    ),
    ("DELETE", "/api/v1/links/{link_id}"): (
        lambda w, a: (f"/api/v1/links/{w.link['id']}", {}),
        (401, 403, 204, 403, 204, 401, 401),
        True,
    ),
    # Albums: the world's is the owner's public album holding the world's photo.
    ("POST", "/api/v1/albums"): (
        lambda w, a: ("/api/v1/albums", {"json": {"title": "Mine"}}),
        (401, 201, 201, 201, 201, 401, 401),
        False,
    ),
    ("GET", "/api/v1/albums"): (fixed("/api/v1/albums"), (200,) * 5 + (401, 401), False),
    ("GET", "/api/v1/albums/{album_id}"): (album_path(), (200,) * 5 + (401, 401), False),
    ("PATCH", "/api/v1/albums/{album_id}"): (
        album_path(json={"title": "Sea, again"}),
        (401, 403, 200, 403, 200, 401, 401),
        False,
    ),
    ("DELETE", "/api/v1/albums/{album_id}"): (
        album_path(),
        (401, 403, 204, 403, 204, 401, 401),
        True,
    ),
    ("GET", "/api/v1/albums/{album_id}/photos"): (
        album_path("/photos"),
        (200,) * 5 + (401, 401),
        False,
    ),
    # Past the owner check, a second copy of the photo is refused (409), not the caller.
    ("POST", "/api/v1/albums/{album_id}/photos"): (
        lambda w, a: (
            f"/api/v1/albums/{w.album['id']}/photos",
            {"json": {"photo_id": w.photo["id"]}},
        ),
        (401, 403, 409, 403, 409, 401, 401),
        False,
    ),
    ("PUT", "/api/v1/albums/{album_id}/photos"): (
        lambda w, a: (
            f"/api/v1/albums/{w.album['id']}/photos",
            {"json": {"photo_ids": [w.photo["id"]]}},
        ),
        (401, 403, 200, 403, 200, 401, 401),
        False,
    ),
    ("DELETE", "/api/v1/albums/{album_id}/photos/{photo_id}"): (
        lambda w, a: (f"/api/v1/albums/{w.album['id']}/photos/{w.photo['id']}", {}),
        (401, 403, 204, 403, 204, 401, 401),
        True,
    ),
    ("GET", "/api/v1/users/{username}/photos"): (
        lambda w, a: (f"/api/v1/users/{w.accounts['owner'].username}/photos", {}),
        (200,) * 5 + (401, 401),
        False,
    ),
    # Sharing an album: its owner or an admin (a public album here: others are 403).
    ("POST", "/api/v1/albums/{album_id}/links"): (
        lambda w, a: (f"/api/v1/albums/{w.album['id']}/links", {"json": {}}),
        (401, 403, 201, 403, 201, 401, 401),
        False,
    ),
    ("GET", "/s/{slug}"): (lambda w, a: (urlsplit(w.link["url"]).path, {}), (200,) * 7, False),
    # A link's password form: no token involved (this link has no password: straight back).
    ("POST", "/s/{slug}"): (
        lambda w, a: (urlsplit(w.link["url"]).path, {"data": {"password": "any password"}}),
        (303,) * 7,
        False,
    ),
    ("GET", "/media/{key}"): (
        lambda w, a: (urlsplit(str(w.photo["url"])).path, {}),
        (200,) * 7,
        False,
    ),
    ("GET", "/healthz"): (fixed("/healthz"), (200,) * 7, False),
    ("GET", "/readyz"): (fixed("/readyz"), (200,) * 7, False),
}


async def test_every_route_has_a_row(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    routes = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    assert routes - set(MATRIX) == set(), "routes without an authorization row"
    assert set(MATRIX) - routes == set(), "rows for routes that no longer exist"


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
async def test_authorization(client: httpx.AsyncClient, route: tuple[str, str]) -> None:
    method, _ = route
    request, expected, changes_state = MATRIX[route]
    world = await build_world(client)
    got = {}
    for actor in ACTORS:
        if changes_state:
            world = await build_world(client)
        path, kwargs = request(world, actor)
        response = await client.request(method, path, headers=world.headers(actor), **kwargs)
        got[actor] = response.status_code
        assert response.status_code < 500, (actor, response.text)
    assert got == dict(zip(ACTORS, expected, strict=True))
