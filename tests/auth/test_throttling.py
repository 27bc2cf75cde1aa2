"""Login and signup throttles: attempts are counted before any password is checked."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

import httpx

from photoshare.config import Settings
from tests.auth.hashing import CountingArgon2, client_at, counted_app
from tests.factories import UserFactory

LOGIN = "/api/v1/auth/login"
SIGNUP = "/api/v1/auth/signup"


async def test_concurrent_wrong_logins_by_username_and_email_evaluate_at_most_the_limit(
    make_settings: Callable[..., Settings],
) -> None:
    argon2 = CountingArgon2()
    async with counted_app(make_settings(), argon2) as app, client_at(app, "127.0.0.1") as http:
        account = await UserFactory(http).signup("Target")
        names = [account.username, account.email.upper()] * 22 + [account.username]
        answers = await asyncio.gather(
            *(http.post(LOGIN, data={"username": name, "password": "guess"}) for name in names)
        )
        assert len(answers) == 45
        assert Counter(answer.status_code for answer in answers) == {401: 10, 429: 35}
        assert argon2.verifications == 10
        for answer in answers:
            if answer.status_code == 429:
                assert 0 < int(answer.headers["retry-after"]) <= 900
                assert answer.json() == {"detail": "Too many failed logins; try again later"}

        # Locked for both names, even with the right password, and nothing more is verified.
        for name in (account.username, account.email):
            right = await http.post(LOGIN, data={"username": name, "password": account.password})
            assert right.status_code == 429
        assert argon2.verifications == 10


async def test_an_unknown_name_has_its_own_counter(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(login_max_failures_per_account=3)
    async with counted_app(settings, CountingArgon2(hold=0)) as app, client_at(app, "::1") as http:
        account = await UserFactory(http).signup()

        async def attempt(name: str, password: str = "guess") -> int:
            response = await http.post(LOGIN, data={"username": name, "password": password})
            return response.status_code

        assert [await attempt("ghost") for _ in range(4)] == [401, 401, 401, 429]
        assert await attempt("GHOST") == 429
        assert await attempt("ghost@example.com") == 401
        assert await attempt(account.username, account.password) == 200


async def test_a_successful_login_does_not_count(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(login_max_failures_per_account=3)
    async with counted_app(settings, CountingArgon2(hold=0)) as app, client_at(app, "::1") as http:
        account = await UserFactory(http).signup()

        async def attempt(password: str) -> int:
            form = {"username": account.username, "password": password}
            return (await http.post(LOGIN, data=form)).status_code

        assert [await attempt(account.password) for _ in range(5)] == [200] * 5
        wrong_then_right = ["guess", "guess", account.password, "guess", "guess"]
        # The success is refunded; the failures before it still count.
        assert [await attempt(p) for p in wrong_then_right] == [401, 401, 200, 401, 429]


async def test_signups_are_limited_per_client_address(
    make_settings: Callable[..., Settings],
) -> None:
    argon2 = CountingArgon2(hold=0)
    settings = make_settings(rate_limit_signups_per_hour=3)
    async with (
        counted_app(settings, argon2) as app,
        client_at(app, "198.51.100.7") as first,
        client_at(app, "203.0.113.9") as second,
    ):
        for n in range(3):
            await UserFactory(first).signup(f"early{n}")
        body = {"username": "late", "email": "late@example.com", "password": "long enough"}
        refused = await first.post(SIGNUP, json=body)
        assert refused.status_code == 429
        assert 3500 < int(refused.headers["retry-after"]) <= 3600
        assert refused.json() == {"detail": "Too many signups from this address; try again later"}
        assert argon2.hashes == 3  # turned away before any password work

        # Nothing was created: another address signs up the same name and email.
        accepted = await second.post(SIGNUP, json=body)
        assert accepted.status_code == 201, accepted.text
        assert (await first.post(SIGNUP, json={**body, "username": "later"})).status_code == 429


async def test_signups_behind_a_trusted_proxy_count_per_forwarded_client(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(rate_limit_signups_per_hour=1, trusted_proxies=["10.0.0.0/8"])
    async with (
        counted_app(settings, CountingArgon2(hold=0)) as app,
        client_at(app, "10.1.2.3") as proxy,
    ):

        async def signup(name: str, client: str) -> int:
            body = {"username": name, "email": f"{name}@example.com", "password": "long enough"}
            headers = {"X-Forwarded-For": client}
            return (await proxy.post(SIGNUP, json=body, headers=headers)).status_code

        assert await signup("ann", "192.0.2.1") == 201
        assert await signup("bob", "192.0.2.1") == 429
        assert await signup("cat", "192.0.2.2") == 201


async def test_bad_signup_input_is_not_counted(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(rate_limit_signups_per_hour=1)
    async with counted_app(settings, CountingArgon2(hold=0)) as app, client_at(app, "::1") as http:
        for body in ({"username": "x", "email": "x@example.com", "password": "long enough"}, {}):
            assert (await http.post(SIGNUP, json=body)).status_code == 422
        await UserFactory(http).signup()


async def test_login_and_signup_throttles_are_documented(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert {"409", "429", "503"} <= set(paths[SIGNUP]["post"]["responses"])
    assert {"429", "503"} <= set(paths[LOGIN]["post"]["responses"])
