"""Your own account and public profiles."""

from __future__ import annotations

import httpx

from tests.factories import UserFactory


async def test_public_profile_has_no_email(client: httpx.AsyncClient, users: UserFactory) -> None:
    account = await users.signup("Grace")
    response = await client.get("/api/v1/users/grace")
    assert response.status_code == 200
    profile = response.json()
    assert profile["username"] == "Grace"
    assert "email" not in profile
    assert profile["photos_count"] == 0
    assert profile["comments_count"] == 0
    assert profile["ratings_given"] == 0
    assert profile["rating_received"] == {"average": 0.0, "count": 0}
    assert account.email not in response.text
    assert (await client.get("/api/v1/users/nobody")).status_code == 404


async def test_update_profile_fields(client: httpx.AsyncClient, users: UserFactory) -> None:
    account = await users.create()
    response = await client.patch(
        "/api/v1/users/me",
        json={"full_name": "  Grace Hopper ", "bio": "Compilers", "username": "hopper"},
        headers=account.headers,
    )
    assert response.status_code == 200
    me = response.json()
    assert (me["full_name"], me["bio"], me["username"]) == ("Grace Hopper", "Compilers", "hopper")
    assert (await client.get("/api/v1/users/hopper")).status_code == 200


async def test_taken_username_or_email_is_409(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    first, second = await users.create(), await users.create()
    for body in ({"username": first.username.upper()}, {"email": first.email.upper()}):
        response = await client.patch("/api/v1/users/me", json=body, headers=second.headers)
        assert response.status_code == 409
    me = (await client.get("/api/v1/users/me", headers=second.headers)).json()
    assert (me["username"], me["email"]) == (second.username, second.email)


async def test_new_email_must_be_confirmed_again(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    account = await users.create()
    response = await client.patch(
        "/api/v1/users/me", json={"email": "new@example.com"}, headers=account.headers
    )
    assert response.status_code == 200
    assert response.json()["email"] == "new@example.com"
    assert response.json()["email_confirmed"] is False


async def test_password_change_needs_current_and_ends_other_logins(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    account = await users.create()
    other_login = (
        await client.post(
            "/api/v1/auth/login", data={"username": account.username, "password": account.password}
        )
    ).json()
    other_headers = {"Authorization": f"Bearer {other_login['access_token']}"}

    missing = await client.patch(
        "/api/v1/users/me", json={"password": "a brand new one"}, headers=account.headers
    )
    assert missing.status_code == 422
    wrong = await client.patch(
        "/api/v1/users/me",
        json={"password": "a brand new one", "current_password": "not it at all"},
        headers=account.headers,
    )
    assert wrong.status_code == 403
    changed = await client.patch(
        "/api/v1/users/me",
        json={"password": "a brand new one", "current_password": account.password},
        headers=account.headers,
    )
    assert changed.status_code == 200

    # This login goes on; the other one is over, access and refresh alike.
    assert (await client.get("/api/v1/users/me", headers=account.headers)).status_code == 200
    assert (await client.get("/api/v1/users/me", headers=other_headers)).status_code == 401
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": other_login["refresh_token"]}
    )
    assert refresh.status_code == 401

    old = await client.post(
        "/api/v1/auth/login", data={"username": account.username, "password": account.password}
    )
    assert old.status_code == 401
    new = await client.post(
        "/api/v1/auth/login", data={"username": account.username, "password": "a brand new one"}
    )
    assert new.status_code == 200


async def test_unknown_fields_are_refused(client: httpx.AsyncClient, users: UserFactory) -> None:
    account = await users.create()
    for body in ({"role": "admin"}, {"is_active": False}, {"username": {"$ne": None}}):
        response = await client.patch("/api/v1/users/me", json=body, headers=account.headers)
        assert response.status_code == 422
    assert (await client.get("/api/v1/users/me", headers=account.headers)).json()["role"] == "admin"
