"""The login lifecycle over HTTP: signup, login, refresh rotation, logout."""

from __future__ import annotations

import httpx

from tests.factories import UserFactory


async def test_signup_login_refresh_logout(client: httpx.AsyncClient, users: UserFactory) -> None:
    account = await users.signup("Ada_L")
    assert account.me["username"] == "Ada_L"
    assert account.me["email"] == "ada_l@example.com"
    assert account.me["role"] == "admin"
    assert account.me["is_active"] is True
    assert "password" not in str(account.me).lower()

    by_email = await client.post(
        "/api/v1/auth/login", data={"username": "ADA_L@example.com", "password": account.password}
    )
    assert by_email.status_code == 200
    await users.login(account)
    body = by_email.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60

    me = await client.get("/api/v1/users/me", headers=account.headers)
    assert me.status_code == 200
    assert me.json()["username"] == "Ada_L"
    assert me.json()["photos_count"] == 0

    first_refresh = account.refresh_token
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": first_refresh})
    assert rotated.status_code == 200
    new_pair = rotated.json()
    assert new_pair["refresh_token"] != first_refresh
    new_headers = {"Authorization": f"Bearer {new_pair['access_token']}"}
    assert (await client.get("/api/v1/users/me", headers=new_headers)).status_code == 200

    # Presenting the spent token again is theft: it fails and the login's new tokens die too.
    replay = await client.post("/api/v1/auth/refresh", json={"refresh_token": first_refresh})
    assert replay.status_code == 401
    again = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": new_pair["refresh_token"]}
    )
    assert again.status_code == 401
    assert (await client.get("/api/v1/users/me", headers=new_headers)).status_code == 401

    # A separate login is unaffected and can log out.
    await users.login(account)
    assert (await client.get("/api/v1/users/me", headers=account.headers)).status_code == 200
    out = await client.post("/api/v1/auth/logout", headers=account.headers)
    assert out.status_code == 204
    after = await client.get("/api/v1/users/me", headers=account.headers)
    assert after.status_code == 401
    assert after.headers["www-authenticate"] == "Bearer"
    spent = await client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert spent.status_code == 401


async def test_wrong_password_and_unknown_user_read_the_same(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    account = await users.signup()
    wrong = await client.post(
        "/api/v1/auth/login", data={"username": account.username, "password": "not the password"}
    )
    unknown = await client.post(
        "/api/v1/auth/login", data={"username": "nobody_here", "password": "not the password"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "Incorrect username or password"}


async def test_first_account_is_admin_and_later_ones_are_users(users: UserFactory) -> None:
    first = await users.signup()
    second = await users.signup()
    third = await users.signup()
    assert [first.me["role"], second.me["role"], third.me["role"]] == ["admin", "user", "user"]


async def test_refresh_token_cannot_be_used_as_access_token(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    account = await users.create()
    as_access = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {account.refresh_token}"}
    )
    assert as_access.status_code == 401
    as_refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": account.access_token}
    )
    assert as_refresh.status_code == 401


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"


async def test_logout_ends_tokens_issued_before_a_refresh(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    account = await users.create()
    earlier = account.headers
    rotated = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": account.refresh_token}
    )
    later = {"Authorization": f"Bearer {rotated.json()['access_token']}"}
    assert (await client.post("/api/v1/auth/logout", headers=later)).status_code == 204
    assert (await client.get("/api/v1/users/me", headers=earlier)).status_code == 401
    assert (await client.get("/api/v1/users/me", headers=later)).status_code == 401
