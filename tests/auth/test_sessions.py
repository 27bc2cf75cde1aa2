"""Sessions over HTTP: each login is listed, and can be ended by its owner at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from photoshare.auth import sessions as sessions_module
from photoshare.auth.sessions import LoginSession
from photoshare.clock import utcnow
from photoshare.db import collection
from tests.factories import Account, UserFactory
from tests.index_coverage import RECORDER

SESSIONS = "/api/v1/auth/sessions"


async def login_as(client: httpx.AsyncClient, account: Account, agent: str) -> dict[str, str]:
    """Log in with a User-Agent; the login's bearer headers and refresh token."""
    response = await client.post(
        "/api/v1/auth/login",
        data={"username": account.username, "password": account.password},
        headers={"User-Agent": agent},
    )
    assert response.status_code == 200, response.text
    tokens = response.json()
    return {
        "Authorization": f"Bearer {tokens['access_token']}",
        "refresh": tokens["refresh_token"],
    }


async def logins_of(
    client: httpx.AsyncClient, users: UserFactory, *agents: str
) -> tuple[Account, list[dict[str, str]]]:
    """A new account and one login per User-Agent, in order."""
    account = await users.signup()
    return account, [await login_as(client, account, agent) for agent in agents]


def bearer(login: dict[str, str]) -> dict[str, str]:
    return {"Authorization": login["Authorization"]}


async def listed(client: httpx.AsyncClient, login: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get(SESSIONS, headers=bearer(login))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    items: list[dict[str, Any]] = body["items"]
    return items


async def me_status(client: httpx.AsyncClient, login: dict[str, str]) -> int:
    return (await client.get("/api/v1/users/me", headers=bearer(login))).status_code


async def refresh_status(client: httpx.AsyncClient, login: dict[str, str]) -> int:
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": login["refresh"]})
    return response.status_code


async def test_each_login_is_a_session_newest_first(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    _, (laptop, phone) = await logins_of(
        client, users, "Firefox on the laptop", "Safari on the phone " + "x" * 500
    )

    from_phone = await listed(client, phone)
    assert [s["user_agent"][:20] for s in from_phone] == [
        "Safari on the phone ",
        "Firefox on the lapto",
    ]
    assert len(from_phone[0]["user_agent"]) == sessions_module.USER_AGENT_MAX_CHARS
    assert [s["current"] for s in from_phone] == [True, False]
    assert {s["ip"] for s in from_phone} == {"127.0.0.1"}
    assert set(from_phone[0]) == {"id", "created_at", "last_used_at", "user_agent", "ip", "current"}
    assert from_phone[0]["created_at"] >= from_phone[1]["created_at"]

    from_laptop = await listed(client, laptop)
    assert [s["current"] for s in from_laptop] == [False, True]
    assert [s["id"] for s in from_laptop] == [s["id"] for s in from_phone]

    other = await users.create()
    assert len(await listed(client, {"Authorization": other.headers["Authorization"]})) == 1
    assert (await client.get(SESSIONS)).status_code == 401


async def test_revoking_a_session_refuses_its_token_on_the_next_request(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    _, (laptop, phone) = await logins_of(client, users, "laptop", "phone")
    assert await me_status(client, phone) == 200
    phone_id = next(s["id"] for s in await listed(client, laptop) if not s["current"])

    revoked = await client.delete(f"{SESSIONS}/{phone_id}", headers=bearer(laptop))
    assert revoked.status_code == 204
    assert await me_status(client, phone) == 401
    assert await refresh_status(client, phone) == 401
    # The laptop's login goes on, refreshes included; the phone's is no longer listed.
    assert await me_status(client, laptop) == 200
    assert [s["user_agent"] for s in await listed(client, laptop)] == ["laptop"]
    assert await refresh_status(client, laptop) == 200

    again = await client.delete(f"{SESSIONS}/{phone_id}", headers=bearer(laptop))
    assert again.status_code == 404


async def test_another_users_session_is_not_found_and_stays(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    _, (owner_login,) = await logins_of(client, users, "owner")
    _, (stranger_login,) = await logins_of(client, users, "stranger")
    owner_id = (await listed(client, owner_login))[0]["id"]

    refused = await client.delete(f"{SESSIONS}/{owner_id}", headers=bearer(stranger_login))
    assert refused.status_code == 404
    assert refused.json() == {"detail": "No such session"}
    unknown = await client.delete(f"{SESSIONS}/no-such-session", headers=bearer(stranger_login))
    assert unknown.status_code == 404
    assert await me_status(client, owner_login) == 200
    assert len(await listed(client, owner_login)) == 1


async def test_revoking_the_others_keeps_the_current_login(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    _, logins = await logins_of(client, users, "device 0", "device 1", "device 2")
    current = logins[1]

    ended = await client.delete(SESSIONS, headers=bearer(current))
    assert ended.status_code == 204
    assert [await me_status(client, login) for login in logins] == [401, 200, 401]
    assert await refresh_status(client, logins[0]) == 401
    assert [(s["user_agent"], s["current"]) for s in await listed(client, current)] == [
        ("device 1", True)
    ]


async def test_a_login_from_before_sessions_is_ended_by_revoke_all_and_shown_once_refreshed(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    _, (current, old, older) = await logins_of(client, users, "current", "old", "older")
    # Logins made before this release have refresh tokens but no session record.
    with RECORDER.quiet():
        await collection(LoginSession).delete_many({"user_agent": {"$in": ["old", "older"]}})
    assert len(await listed(client, current)) == 1

    refreshed = await client.post(
        "/api/v1/auth/refresh",
        json={"refresh_token": older["refresh"]},
        headers={"User-Agent": "older, refreshed"},
    )
    assert refreshed.status_code == 200
    assert [s["user_agent"] for s in await listed(client, current)] == [
        "older, refreshed",
        "current",
    ]

    assert (await client.delete(SESSIONS, headers=bearer(current))).status_code == 204
    assert await me_status(client, old) == 401
    assert await refresh_status(client, old) == 401
    assert await me_status(client, current) == 200
    assert [s["user_agent"] for s in await listed(client, current)] == ["current"]


async def test_logout_ban_and_password_change_end_sessions(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    admin = await users.create()
    account, (first, second) = await logins_of(client, users, "first", "second")

    changed = await client.patch(
        "/api/v1/users/me",
        json={"password": "a brand new one", "current_password": account.password},
        headers=bearer(first),
    )
    assert changed.status_code == 200
    assert await me_status(client, second) == 401
    assert [s["user_agent"] for s in await listed(client, first)] == ["first"]

    account.password = "a brand new one"
    third = await login_as(client, account, "third")
    out = await client.post("/api/v1/auth/logout", headers=bearer(third))
    assert out.status_code == 204
    assert [s["user_agent"] for s in await listed(client, first)] == ["first"]

    banned = await client.post(f"/api/v1/users/{account.username}/ban", headers=admin.headers)
    assert banned.status_code == 200
    unbanned = await client.post(f"/api/v1/users/{account.username}/unban", headers=admin.headers)
    assert unbanned.status_code == 200
    assert await me_status(client, first) == 401
    after = await login_as(client, account, "after the ban")
    assert [s["user_agent"] for s in await listed(client, after)] == ["after the ban"]


async def test_refresh_token_reuse_ends_the_session(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    _, (watcher, stolen) = await logins_of(client, users, "watcher", "stolen")
    assert await refresh_status(client, stolen) == 200
    assert await refresh_status(client, stolen) == 401  # the spent token, presented again
    assert [s["user_agent"] for s in await listed(client, watcher)] == ["watcher"]


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


async def test_last_used_moves_at_most_once_a_minute(
    client: httpx.AsyncClient, users: UserFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, (login,) = await logins_of(client, users, "busy")
    started = _parse((await listed(client, login))[0]["last_used_at"])
    base = utcnow()

    async def last_used_after(offset: timedelta) -> datetime:
        monkeypatch.setattr(sessions_module, "utcnow", lambda: base + offset)
        assert await me_status(client, login) == 200
        monkeypatch.setattr(sessions_module, "utcnow", utcnow)
        return _parse((await listed(client, login))[0]["last_used_at"])

    # Within the minute nothing is written; past it, one use is noted and then held again.
    assert await last_used_after(timedelta(seconds=30)) == started
    moved = await last_used_after(timedelta(minutes=2))
    assert moved - base == timedelta(minutes=2)
    assert await last_used_after(timedelta(minutes=2, seconds=40)) == moved
    assert await last_used_after(timedelta(minutes=3, seconds=10)) - base == timedelta(
        minutes=3, seconds=10
    )


async def test_refresh_moves_last_used(client: httpx.AsyncClient, users: UserFactory) -> None:
    _, (login,) = await logins_of(client, users, "refreshing")
    before = (await listed(client, login))[0]
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": login["refresh"]})
    assert rotated.status_code == 200
    after = (await listed(client, login))[0]
    assert after["id"] == before["id"]
    assert after["created_at"] == before["created_at"]
    assert after["last_used_at"] >= before["last_used_at"]
