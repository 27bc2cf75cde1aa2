"""Password hashing is bounded: at most N hashes at once, the rest wait in a bounded queue."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

import pytest

from photoshare.config import Settings
from tests.auth.hashing import CountingArgon2, client_at, counted_app
from tests.factories import UserFactory

SIGNUP = "/api/v1/auth/signup"
LOGIN = "/api/v1/auth/login"


def signup_body(name: str) -> dict[str, str]:
    return {"username": name, "email": f"{name}@example.com", "password": "long enough"}


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_at_most_the_configured_number_of_hashes_run_at_once(
    make_settings: Callable[..., Settings], concurrency: int
) -> None:
    argon2 = CountingArgon2(hold=0.05)
    settings = make_settings(password_hash_concurrency=concurrency)
    async with counted_app(settings, argon2) as app, client_at(app, "127.0.0.1") as http:
        account = await UserFactory(http).signup("known")
        form = {"username": account.username, "password": account.password}
        signups = [http.post(SIGNUP, json=signup_body(f"new{n}")) for n in range(8)]
        logins = [http.post(LOGIN, data=form) for _ in range(4)]
        answers = await asyncio.gather(*signups, *logins)
    # Everyone waited for a slot and got through; signups and logins share the slots.
    assert [answer.status_code for answer in answers] == [201] * 8 + [200] * 4
    assert argon2.hashes == 9 and argon2.verifications == 4
    assert argon2.peak == concurrency


async def test_a_full_queue_turns_requests_away_with_503_and_changes_nothing(
    make_settings: Callable[..., Settings],
) -> None:
    argon2 = CountingArgon2(hold=0.3)
    settings = make_settings(password_hash_concurrency=1, password_hash_queue=2)
    async with counted_app(settings, argon2) as app, client_at(app, "127.0.0.1") as http:
        answers = await asyncio.gather(
            *(http.post(SIGNUP, json=signup_body(f"rush{n}")) for n in range(6))
        )
        assert Counter(answer.status_code for answer in answers) == {201: 3, 503: 3}
        assert argon2.hashes == 3
        for number, answer in enumerate(answers):
            if answer.status_code == 503:
                assert int(answer.headers["retry-after"]) > 0
                assert "try again" in answer.json()["detail"]
                # The account was not created: the same signup later succeeds.
                again = await http.post(SIGNUP, json=signup_body(f"rush{number}"))
                assert again.status_code == 201, again.text
    assert argon2.peak == 1
