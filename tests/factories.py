"""Small factories that build data through the public API, as a client would."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import httpx

_counter = itertools.count(1)
# The kinds of caller a who-may test runs as (UserFactory.cast).
CALLERS = ("anonymous", "owner", "other", "moderator", "admin")


@dataclass
class Account:
    username: str
    email: str
    password: str
    access_token: str = ""
    refresh_token: str = ""
    me: dict[str, object] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


class UserFactory:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def signup(
        self, username: str | None = None, *, password: str = "correct horse 1"
    ) -> Account:
        """Sign up a new account without logging in."""
        name = username or f"user{next(_counter)}"
        account = Account(username=name, email=f"{name.lower()}@example.com", password=password)
        response = await self.client.post(
            "/api/v1/auth/signup",
            json={"username": name, "email": account.email, "password": password},
        )
        assert response.status_code == 201, response.text
        account.me = response.json()
        return account

    async def login(self, account: Account, *, by: str | None = None) -> Account:
        response = await self.client.post(
            "/api/v1/auth/login",
            data={"username": by or account.username, "password": account.password},
        )
        assert response.status_code == 200, response.text
        tokens = response.json()
        account.access_token, account.refresh_token = (
            tokens["access_token"],
            tokens["refresh_token"],
        )
        return account

    async def create(
        self, username: str | None = None, *, role: str | None = None, admin: Account | None = None
    ) -> Account:
        """Sign up and log in; with ``role``, an admin grants it first."""
        account = await self.login(await self.signup(username))
        if role is not None and role != account.me["role"]:
            assert admin is not None, "granting a role needs an admin"
            response = await self.client.patch(
                f"/api/v1/users/{account.username}/role", json={"role": role}, headers=admin.headers
            )
            assert response.status_code == 200, response.text
        return account

    async def admin_and_user(self) -> tuple[Account, Account]:
        """The first account (the admin) and a plain user."""
        return await self.create(), await self.create()

    async def cast(self) -> dict[str, Account | None]:
        """One caller of each kind (CALLERS): the first account is the admin."""
        admin = await self.create()
        owner, other = await self.create(), await self.create()
        moderator = await self.create(role="moderator", admin=admin)
        return {
            "anonymous": None,
            "owner": owner,
            "other": other,
            "moderator": moderator,
            "admin": admin,
        }


class PhotoFactory:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def upload(
        self,
        account: Account,
        content: bytes | None = None,
        *,
        description: str = "",
        tags: list[str] | str | None = None,
        filename: str = "photo.jpg",
        expect: int = 201,
    ) -> dict[str, object]:
        """Upload through the API and return the Photo (or the error body)."""
        from tests.media import samples

        data: dict[str, object] = {"description": description}
        if tags is not None:
            data["tags"] = tags
        response = await self.client.post(
            "/api/v1/photos",
            files={
                "file": (filename, content if content is not None else samples.jpeg(), "image/jpeg")
            },
            data=data,
            headers=account.headers,
        )
        assert response.status_code == expect, response.text
        body: dict[str, object] = response.json()
        return body
