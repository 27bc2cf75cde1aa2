"""Token attacks: forged headers and claims, lifetimes, types, deleted and changed accounts."""

from __future__ import annotations

import base64
import json
import time

import httpx
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import OctKey

from photoshare.db import collection
from photoshare.users.models import User
from tests.factories import UserFactory


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def _key(app: FastAPI) -> OctKey:
    return OctKey.import_key(app.state.settings.resolve_secret_key().encode())


async def _status(client: httpx.AsyncClient, token: str) -> int:
    response = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


async def test_key_locating_headers_are_ignored(
    client: httpx.AsyncClient, users: UserFactory, app: FastAPI
) -> None:
    account = await users.create()
    claims = _claims(account.access_token)
    attacker = OctKey.import_key(b"attacker controlled key material!!")
    # A token signed by the attacker, pointing at the attacker's key set, is refused...
    for header in (
        {"alg": "HS256", "jku": "https://evil.example/jwks"},
        {"alg": "HS256", "kid": "../../dev/null"},
    ):
        assert await _status(client, jwt.encode(header, claims, attacker)) == 401
    # ...and such headers on a token we signed change nothing: our key is the only key.
    ours = jwt.encode(
        {"alg": "HS256", "kid": "whatever", "jku": "https://evil.example"}, claims, _key(app)
    )
    assert await _status(client, ours) == 200


async def test_lifetimes_are_enforced(
    client: httpx.AsyncClient, users: UserFactory, app: FastAPI
) -> None:
    account = await users.create()
    claims = _claims(account.access_token)
    now = int(time.time())
    key = _key(app)
    not_yet = jwt.encode({"alg": "HS256"}, {**claims, "nbf": now + 3600}, key)
    issued_later = jwt.encode(
        {"alg": "HS256"}, {**claims, "iat": now + 3600, "exp": now + 7200}, key
    )
    expired = jwt.encode({"alg": "HS256"}, {**claims, "exp": now - 60}, key)
    no_expiry = jwt.encode({"alg": "HS256"}, {k: v for k, v in claims.items() if k != "exp"}, key)
    no_jti = jwt.encode({"alg": "HS256"}, {k: v for k, v in claims.items() if k != "jti"}, key)
    for token in (not_yet, issued_later, expired, no_expiry, no_jti):
        assert await _status(client, token) == 401


async def test_token_types_do_not_mix(
    client: httpx.AsyncClient, users: UserFactory, app: FastAPI
) -> None:
    account = await users.create()
    assert await _status(client, account.refresh_token) == 401
    as_refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": account.access_token}
    )
    assert as_refresh.status_code == 401
    claims = _claims(account.access_token)
    confirm = jwt.encode({"alg": "HS256"}, {**claims, "type": "email-confirmation"}, _key(app))
    assert await _status(client, confirm) == 401
    untyped = jwt.encode(
        {"alg": "HS256"}, {k: v for k, v in claims.items() if k != "type"}, _key(app)
    )
    assert await _status(client, untyped) == 401


async def test_a_deleted_account_has_no_valid_token(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    account = await users.create()
    await collection(User).delete_one({"username_key": account.username.lower()})
    assert await _status(client, account.access_token) == 401
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": account.refresh_token}
    )
    assert refreshed.status_code == 401


async def test_tokens_from_before_a_password_change_stop_working(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    account = await users.create()
    old = await client.post(
        "/api/v1/auth/login", data={"username": account.username, "password": account.password}
    )
    old_tokens = old.json()
    changed = await client.patch(
        "/api/v1/users/me",
        json={"password": "an entirely new one", "current_password": account.password},
        headers=account.headers,
    )
    assert changed.status_code == 200
    assert await _status(client, old_tokens["access_token"]) == 401
    assert (
        await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": old_tokens["refresh_token"]}
        )
    ).status_code == 401
