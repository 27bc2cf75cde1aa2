"""Signup and token input that must be refused, leaving nothing stored."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from photoshare.users.models import User
from tests.factories import UserFactory


def _signup(
    username: str = "valid_name", email: str = "valid@example.com", password: str = "long enough 1"
) -> dict[str, str]:
    return {"username": username, "email": email, "password": password}


@pytest.mark.parametrize(
    ("username", "email"),
    [("ADA", "other@example.com"), ("other", "ADA@Example.COM"), ("ada", "ada@example.com")],
)
async def test_duplicates_in_any_case_are_409(
    client: httpx.AsyncClient, username: str, email: str
) -> None:
    assert (
        await client.post("/api/v1/auth/signup", json=_signup("ada", "ada@example.com"))
    ).status_code == 201
    response = await client.post("/api/v1/auth/signup", json=_signup(username, email))
    assert response.status_code == 409
    assert "already taken" in response.json()["detail"]
    assert await User.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        _signup(email="not-an-email"),
        _signup(password="short"),
        _signup(password="x" * 129),
        _signup(username="no spaces"),
        _signup(username="ab"),
        _signup(username="x" * 33),
        _signup(username="évé"),
        _signup(username={"$gt": ""}),  # type: ignore[arg-type]
        {"username": "missing_fields"},
        {**_signup(), "role": "admin"},
    ],
)
async def test_invalid_signup_is_422_and_stores_nothing(
    client: httpx.AsyncClient, body: dict[str, str]
) -> None:
    response = await client.post("/api/v1/auth/signup", json=body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
    assert await User.count() == 0


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_bad_tokens_are_401(client: httpx.AsyncClient, users: UserFactory, app) -> None:  # type: ignore[no-untyped-def]
    account = await users.create()
    header_b64, payload_b64, signature = account.access_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)))
    now = int(time.time())
    secret = app.state.settings.resolve_secret_key().encode()
    key = OctKey.import_key(secret)

    tampered_claims = {**claims, "sub": "000000000000000000000000"}
    expired = jwt.encode({"alg": "HS256"}, {**claims, "iat": now - 3600, "exp": now - 1800}, key)
    forged = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(b"another key entirely" * 2))
    wrong_type = jwt.encode({"alg": "HS256"}, {**claims, "type": "refresh"}, key)
    unknown_type = jwt.encode({"alg": "HS256"}, {**claims, "type": "email-confirmation"}, key)
    bad_tokens = {
        "tampered payload": f"{header_b64}.{_b64(tampered_claims)}.{signature}",
        "tampered signature": f"{header_b64}.{payload_b64}.{signature[:-4]}AAAA",
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload_b64}.",
        "alg HS512": f"{_b64({'alg': 'HS512', 'typ': 'JWT'})}.{payload_b64}.{signature}",
        "expired": expired,
        "forged with another key": forged,
        "wrong type": wrong_type,
        "email token": unknown_type,
        "garbage": "garbage",
        "empty segments": "..",
        "non-ascii": "ünïcødé.tøken.✓",
    }
    for name, token in bad_tokens.items():
        response = await client.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {token}".encode()}
        )
        assert response.status_code == 401, name
        assert response.json()["detail"], name
    assert (await client.get("/api/v1/users/me")).status_code == 401
    assert (await client.get("/api/v1/users/me", headers=account.headers)).status_code == 200


async def test_thirty_wrong_passwords_get_429_with_retry_after(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    account = await users.signup()
    statuses = []
    for _ in range(30):
        response = await client.post(
            "/api/v1/auth/login", data={"username": account.username, "password": "wrong password"}
        )
        statuses.append(response.status_code)
    assert statuses[0] == 401
    assert statuses[-1] == 429
    assert set(statuses) == {401, 429}
    last = response
    assert int(last.headers["retry-after"]) > 0
    assert "Too many" in last.json()["detail"]
    # Even the right password waits out the lock.
    right = await client.post(
        "/api/v1/auth/login", data={"username": account.username, "password": account.password}
    )
    assert right.status_code == 429
