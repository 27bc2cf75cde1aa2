"""Acknowledged writes of every kind, and the checks that find each one after a restart.

Used against an app over ASGI and against a real ``photoshare serve`` process alike:
only the HTTP API is involved. The store needs ``login_max_failures_per_account`` set to
``FAILED_LOGINS`` so that the throttle's counters are among what must survive.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from tests.factories import Account, PhotoFactory, UserFactory
from tests.media import samples

FAILED_LOGINS = 3
NEW_PASSWORD = "a brand new password"


@dataclass
class Written:
    """What ``write_every_kind`` was told was done, to be found again."""

    admin: Account
    owner: Account
    banned: Account
    changer: Account
    throttled: Account
    banned_headers: dict[str, str]
    logged_out_headers: dict[str, str]
    spent_refresh_token: str
    photo_id: str
    deleted_photo_id: str
    link_id: str


def path(url: str) -> str:
    """The path of an absolute URL the service built (its host may be another address)."""
    return urlsplit(url).path


def _ok(response: httpx.Response, status: int = 200) -> httpx.Response:
    assert response.status_code == status, response.text
    return response


async def _accounts(users: UserFactory) -> tuple[Account, ...]:
    admin = await users.create("admin0")
    owner, banned, changer = [await users.create(name) for name in ("owner", "banned", "changer")]
    throttled = await users.signup("throttled")
    return admin, owner, banned, changer, throttled


async def write_every_kind(client: httpx.AsyncClient) -> Written:
    """Sign up, upload, edit, delete, comment, rate, link, ban, change a password, log out."""
    users, photos = UserFactory(client), PhotoFactory(client)
    admin, owner, banned, changer, throttled = await _accounts(users)
    photo = await photos.upload(owner, description="before", tags="sea,sky")
    doomed = await photos.upload(owner, description="doomed")
    photo_url = f"/api/v1/photos/{photo['id']}"
    edit = {"description": "after", "tags": ["sea", "harbour"]}
    _ok(await client.put(photo_url, json=edit, headers=owner.headers))
    comment = {"text": "kept comment"}
    _ok(await client.post(f"{photo_url}/comments", json=comment, headers=changer.headers), 201)
    rating = {"stars": 4}
    _ok(await client.post(f"{photo_url}/ratings", json=rating, headers=changer.headers), 201)
    link = {"transformation": "c_fill,w_120,h_80/e_grayscale"}
    created = await client.post(f"{photo_url}/links", json=link, headers=owner.headers)
    link_id = _ok(created, 201).json()["id"]
    avatar = {"file": ("me.jpg", samples.jpeg(600, 400), "image/jpeg")}
    _ok(await client.put("/api/v1/users/me/avatar", files=avatar, headers=owner.headers))
    _ok(await client.delete(f"/api/v1/photos/{doomed['id']}", headers=owner.headers), 204)
    _ok(await client.post("/api/v1/users/banned/ban", headers=admin.headers))
    change = {"password": NEW_PASSWORD, "current_password": changer.password}
    _ok(await client.patch("/api/v1/users/me", json=change, headers=changer.headers))
    spent = admin.refresh_token
    pair = _ok(await client.post("/api/v1/auth/refresh", json={"refresh_token": spent})).json()
    admin.access_token, admin.refresh_token = pair["access_token"], pair["refresh_token"]
    for _ in range(FAILED_LOGINS):
        wrong = {"username": "throttled", "password": "not the password"}
        _ok(await client.post("/api/v1/auth/login", data=wrong), 401)
    _ok(await client.post("/api/v1/auth/logout", headers=owner.headers), 204)
    return Written(
        admin=admin,
        owner=owner,
        banned=banned,
        changer=changer,
        throttled=throttled,
        banned_headers=banned.headers,
        logged_out_headers=owner.headers,
        spent_refresh_token=spent,
        photo_id=str(photo["id"]),
        deleted_photo_id=str(doomed["id"]),
        link_id=link_id,
    )


async def _login(client: httpx.AsyncClient, username: str, password: str) -> int:
    form = {"username": username, "password": password}
    return (await client.post("/api/v1/auth/login", data=form)).status_code


async def find_photos(client: httpx.AsyncClient, written: Written) -> None:
    """The edit, the comment, the rating, the link and the deletion are all there."""
    photo = _ok(await client.get(f"/api/v1/photos/{written.photo_id}")).json()
    assert (photo["description"], photo["tags"]) == ("after", ["sea", "harbour"])
    assert photo["rating"] == {"average": 4.0, "count": 1}
    assert photo["comments_count"] == 1
    _ok(await client.get(path(photo["url"])))
    comments = _ok(await client.get(f"/api/v1/photos/{written.photo_id}/comments")).json()
    assert [c["text"] for c in comments["items"]] == ["kept comment"]
    _ok(await client.get(f"/api/v1/photos/{written.deleted_photo_id}"), 404)
    links = _ok(await client.get(f"/api/v1/photos/{written.photo_id}/links")).json()
    assert [link["id"] for link in links["items"]] == [written.link_id]
    _ok(await client.get(path(links["items"][0]["url"])))
    tags = _ok(await client.get("/api/v1/tags")).json()["items"]
    counts = {tag["name"]: tag["photos_count"] for tag in tags}
    assert (counts.get("sea"), counts.get("harbour"), counts.get("sky", 0)) == (1, 1, 0)


async def find_accounts(client: httpx.AsyncClient, written: Written) -> None:
    """The ban, the password change, the logout, the spent refresh token, the counters."""
    owner = _ok(await client.get("/api/v1/users/owner")).json()
    assert owner["avatar_url"] is not None
    _ok(await client.get(path(owner["avatar_url"])))
    changer = _ok(await client.get("/api/v1/users/changer")).json()
    assert (changer["comments_count"], changer["ratings_given"]) == (1, 1)
    _ok(await client.get("/api/v1/users/me", headers=written.logged_out_headers), 401)
    _ok(await client.get("/api/v1/users/me", headers=written.banned_headers), 401)
    assert await _login(client, "banned", written.banned.password) == 403
    assert await _login(client, "changer", written.changer.password) == 401
    assert await _login(client, "changer", NEW_PASSWORD) == 200
    assert await _login(client, "throttled", written.throttled.password) == 429
    me = _ok(await client.get("/api/v1/users/me", headers=written.admin.headers)).json()
    assert me["role"] == "admin"
    # Last: presenting a spent refresh token also ends the login it belonged to.
    spent = {"refresh_token": written.spent_refresh_token}
    _ok(await client.post("/api/v1/auth/refresh", json=spent), 401)


async def find_every_kind(client: httpx.AsyncClient, written: Written) -> None:
    """Every write ``write_every_kind`` had acknowledged is there."""
    await find_photos(client, written)
    await find_accounts(client, written)
