"""Roles, bans and their guards."""

from __future__ import annotations

import httpx

from tests.factories import UserFactory


async def test_admin_changes_roles_and_others_cannot(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    admin, user = await users.admin_and_user()
    other = await users.create()

    denied = await client.patch(
        f"/api/v1/users/{other.username}/role", json={"role": "admin"}, headers=user.headers
    )
    assert denied.status_code == 403
    anonymous = await client.patch(f"/api/v1/users/{other.username}/role", json={"role": "admin"})
    assert anonymous.status_code == 401

    promoted = await client.patch(
        f"/api/v1/users/{user.username}/role", json={"role": "moderator"}, headers=admin.headers
    )
    assert promoted.status_code == 200
    assert promoted.json()["role"] == "moderator"
    assert "email" not in promoted.json()
    # A moderator is still not an admin.
    still_denied = await client.patch(
        f"/api/v1/users/{other.username}/role", json={"role": "moderator"}, headers=user.headers
    )
    assert still_denied.status_code == 403
    assert (await client.get("/api/v1/users/me", headers=user.headers)).json()[
        "role"
    ] == "moderator"

    bad_role = await client.patch(
        f"/api/v1/users/{other.username}/role", json={"role": "superuser"}, headers=admin.headers
    )
    assert bad_role.status_code == 422
    unknown = await client.patch(
        "/api/v1/users/nobody/role", json={"role": "user"}, headers=admin.headers
    )
    assert unknown.status_code == 404


async def test_last_admin_cannot_be_demoted(client: httpx.AsyncClient, users: UserFactory) -> None:
    admin, user = await users.admin_and_user()
    response = await client.patch(
        f"/api/v1/users/{admin.username}/role", json={"role": "user"}, headers=admin.headers
    )
    assert response.status_code == 409
    assert "last admin" in response.json()["detail"]
    assert (await client.get("/api/v1/users/me", headers=admin.headers)).json()["role"] == "admin"

    # With a second admin the first may step down.
    await client.patch(
        f"/api/v1/users/{user.username}/role", json={"role": "admin"}, headers=admin.headers
    )
    stepped_down = await client.patch(
        f"/api/v1/users/{admin.username}/role", json={"role": "user"}, headers=admin.headers
    )
    assert stepped_down.status_code == 200
    assert stepped_down.json()["role"] == "user"


async def test_ban_blocks_login_and_kills_tokens_until_unban(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    admin, user = await users.admin_and_user()
    by_user = await client.post(f"/api/v1/users/{admin.username}/ban", headers=user.headers)
    assert by_user.status_code == 403

    banned = await client.post(f"/api/v1/users/{user.username}/ban", headers=admin.headers)
    assert banned.status_code == 200
    assert banned.json()["is_active"] is False

    assert (await client.get("/api/v1/users/me", headers=user.headers)).status_code == 401
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": user.refresh_token}
    )
    assert refreshed.status_code == 401
    login = await client.post(
        "/api/v1/auth/login", data={"username": user.username, "password": user.password}
    )
    assert login.status_code == 403
    assert "banned" in login.json()["detail"]

    unbanned = await client.post(f"/api/v1/users/{user.username}/unban", headers=admin.headers)
    assert unbanned.status_code == 200
    assert unbanned.json()["is_active"] is True
    await users.login(user)
    assert (await client.get("/api/v1/users/me", headers=user.headers)).status_code == 200


async def test_admin_cannot_ban_themselves(client: httpx.AsyncClient, users: UserFactory) -> None:
    admin = await users.create()
    response = await client.post(f"/api/v1/users/{admin.username}/ban", headers=admin.headers)
    assert response.status_code == 409
    assert (await client.get("/api/v1/users/me", headers=admin.headers)).json()["is_active"] is True


async def test_admin_lists_accounts(client: httpx.AsyncClient, users: UserFactory) -> None:
    admin, user = await users.admin_and_user()
    await users.create("zed_account")
    listed = await client.get("/api/v1/users", headers=admin.headers)
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 3
    assert [u["username"] for u in body["items"]] == sorted(u["username"] for u in body["items"])
    assert body["items"][0]["email"].endswith("@example.com")
    prefixed = (
        await client.get("/api/v1/users", params={"q": "ZED"}, headers=admin.headers)
    ).json()
    assert [u["username"] for u in prefixed["items"]] == ["zed_account"]
    pattern = await client.get("/api/v1/users", params={"q": ".*"}, headers=admin.headers)
    assert pattern.json()["total"] == 0
    assert (await client.get("/api/v1/users", headers=user.headers)).status_code == 403
    assert (await client.get("/api/v1/users")).status_code == 401
