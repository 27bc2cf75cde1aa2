"""Password reset by emailed link, through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from photoshare.app import create_app
from photoshare.auth.password_resets import PasswordReset
from photoshare.clock import utcnow
from photoshare.config import Settings
from photoshare.db import collection
from tests.auth.hashing import client_at
from tests.auth.mailbox import Inbox, link_in, mailing_settings, smtp_server
from tests.factories import Account, UserFactory
from tests.index_coverage import RECORDER
from tests.servers import lifespan, running_app

RESET = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
LOGIN = "/api/v1/auth/login"
ACCEPTED = {"detail": "If an account uses this address, a password reset link is on its way"}
NOT_VALID = (
    "This password reset link has expired, has already been used or is not valid; ask for a new one"
)
RESET_LINK = r"(https://photos\.example\.org/#/reset\?token=\S+)"
NEW_PASSWORD = "a brand new passphrase"
SUBJECT = "Reset your PhotoShare password"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_settings(make_settings: Callable[..., Settings], smtp: tuple[Inbox, int]) -> Settings:
    return mailing_settings(make_settings, smtp[1])


@pytest.fixture
async def http(mail_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(mail_settings) as client:
        yield client


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    return smtp[0]


async def ask_for_reset(http: httpx.AsyncClient, email: str) -> None:
    answer = await http.post(RESET, json={"email": email})
    assert answer.status_code == 202, answer.text
    assert answer.json() == ACCEPTED


async def mailed_token(http: httpx.AsyncClient, inbox: Inbox, email: str) -> str:
    """Ask for a reset of ``email`` and read the token from the link that arrives."""
    before = len(inbox.about(SUBJECT))
    await ask_for_reset(http, email)
    message = (await inbox.wait_for(before + 1, SUBJECT))[before]
    assert message["To"] == email
    return link_in(message, RESET_LINK).split("token=", 1)[1]


async def confirm(http: httpx.AsyncClient, token: str, password: str = NEW_PASSWORD) -> int:
    answer = await http.post(CONFIRM, json={"token": token, "password": password})
    if answer.status_code == 400:
        assert answer.json()["detail"] == NOT_VALID
    return answer.status_code


async def login_status(http: httpx.AsyncClient, account: Account, password: str) -> int:
    form = {"username": account.username, "password": password}
    return (await http.post(LOGIN, data=form)).status_code


async def test_the_mailed_link_sets_a_new_password_and_ends_every_login(
    http: httpx.AsyncClient, inbox: Inbox
) -> None:
    users = UserFactory(http)
    account = await users.create("forgetful")
    other_login = await users.login(replace(account))
    await ask_for_reset(http, "Forgetful@Example.com")

    [message] = await inbox.wait_for(1, SUBJECT)
    assert message["To"] == "forgetful@example.com"
    link = link_in(message, RESET_LINK)
    assert "60 minutes" in link_in(message, r"(within \d+ minutes)")
    token = link.split("token=", 1)[1]

    assert await confirm(http, token) == 204
    assert await login_status(http, account, account.password) == 401
    assert await login_status(http, account, NEW_PASSWORD) == 200
    # Both earlier logins end at once: access tokens and refresh tokens.
    for login in (account, other_login):
        assert (await http.get("/api/v1/users/me", headers=login.headers)).status_code == 401
        body = {"refresh_token": login.refresh_token}
        assert (await http.post("/api/v1/auth/refresh", json=body)).status_code == 401


async def test_a_link_works_once(http: httpx.AsyncClient, inbox: Inbox) -> None:
    account = await UserFactory(http).signup()
    token = await mailed_token(http, inbox, account.email)
    assert await confirm(http, token) == 204
    assert await confirm(http, token, "yet another passphrase") == 400
    assert await login_status(http, account, NEW_PASSWORD) == 200


async def test_an_expired_link_is_refused(http: httpx.AsyncClient, inbox: Inbox) -> None:
    account = await UserFactory(http).signup()
    token = await mailed_token(http, inbox, account.email)
    with RECORDER.quiet():
        await collection(PasswordReset).update_many(
            {}, {"$set": {"expires_at": utcnow() - timedelta(seconds=1)}}
        )
    assert await confirm(http, token) == 400
    assert await login_status(http, account, account.password) == 200


async def test_a_forged_token_is_refused(http: httpx.AsyncClient, inbox: Inbox) -> None:
    account = await UserFactory(http).signup()
    real = await mailed_token(http, inbox, account.email)
    for forged in (secrets.token_urlsafe(32), real[:-1] + ("A" if real[-1] != "A" else "B"), "x"):
        assert await confirm(http, forged) == 400
    assert await login_status(http, account, account.password) == 200
    assert await confirm(http, real) == 204


async def test_asking_again_voids_the_earlier_link(http: httpx.AsyncClient, inbox: Inbox) -> None:
    account = await UserFactory(http).signup()
    first = await mailed_token(http, inbox, account.email)
    second = await mailed_token(http, inbox, account.email)
    assert await confirm(http, first) == 400
    assert await confirm(http, second) == 204


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    http: httpx.AsyncClient, inbox: Inbox
) -> None:
    await UserFactory(http).signup("known")
    await ask_for_reset(http, "nobody@example.com")
    # The request's work has run by now (the ASGI client waits for background tasks).
    assert inbox.about(SUBJECT) == []
    await mailed_token(http, inbox, "known@example.com")


async def test_twenty_parallel_confirms_of_one_link_set_one_password(
    http: httpx.AsyncClient, inbox: Inbox
) -> None:
    account = await UserFactory(http).signup()
    token = await mailed_token(http, inbox, account.email)
    passwords = [f"racing passphrase {n}" for n in range(20)]
    answers = await asyncio.gather(*(confirm(http, token, password) for password in passwords))
    assert Counter(answers) == {204: 1, 400: 19}
    winner = passwords[answers.index(204)]
    assert [await login_status(http, account, p) for p in (winner, account.password)] == [200, 401]


async def test_a_banned_account_cannot_reset_its_way_back(
    http: httpx.AsyncClient, inbox: Inbox
) -> None:
    users = UserFactory(http)
    admin, account = await users.admin_and_user()
    token = await mailed_token(http, inbox, account.email)
    banned = await http.post(f"/api/v1/users/{account.username}/ban", headers=admin.headers)
    assert banned.status_code == 200

    refused = await http.post(CONFIRM, json={"token": token, "password": NEW_PASSWORD})
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "This account has been banned; its password cannot be reset"
    }
    # No new link is mailed to a banned account, and the password did not change.
    await ask_for_reset(http, account.email)
    assert len(inbox.about(SUBJECT)) == 1
    unban = await http.post(f"/api/v1/users/{account.username}/unban", headers=admin.headers)
    assert unban.status_code == 200
    assert await login_status(http, account, account.password) == 200


async def test_bad_input_is_422_and_changes_nothing(http: httpx.AsyncClient, inbox: Inbox) -> None:
    account = await UserFactory(http).signup()
    token = await mailed_token(http, inbox, account.email)
    for body in ({"email": "not an address"}, {}, {"email": account.email, "extra": 1}):
        assert (await http.post(RESET, json=body)).status_code == 422
    for body in (
        {"token": token, "password": "short"},
        {"token": token, "password": "x" * 129},
        {"token": token},
        {"token": "", "password": NEW_PASSWORD},
        {"token": "a\nb", "password": NEW_PASSWORD},
    ):
        assert (await http.post(CONFIRM, json=body)).status_code == 422
    assert len(inbox.about(SUBJECT)) == 1
    assert await confirm(http, token) == 204


async def test_requests_for_one_address_are_limited(mail_settings: Settings, inbox: Inbox) -> None:
    settings = mail_settings.model_copy(update={"password_reset_mails_per_email_per_hour": 2})
    async with running_app(settings) as http:
        account = await UserFactory(http).signup()
        for _ in range(4):
            await ask_for_reset(http, account.email.upper())
        assert len(await inbox.wait_for(2, SUBJECT)) == 2
        assert len(inbox.about(SUBJECT)) == 2


async def test_requests_from_one_client_are_limited(mail_settings: Settings, inbox: Inbox) -> None:
    settings = mail_settings.model_copy(update={"password_reset_requests_per_client_per_hour": 2})
    app = create_app(settings)
    async with (
        lifespan(app),
        client_at(app, "198.51.100.7") as spammer,
        client_at(app, "203.0.113.9") as owner,
    ):
        accounts = [await UserFactory(spammer).signup() for _ in range(3)]
        for account in accounts:
            await ask_for_reset(spammer, account.email)
        assert [m["To"] for m in await inbox.wait_for(2, SUBJECT)] == [
            a.email for a in accounts[:2]
        ]
        # The third address got nothing from that client; its owner can still ask.
        await ask_for_reset(owner, accounts[2].email)
        assert [m["To"] for m in await inbox.wait_for(3, SUBJECT)][2] == accounts[2].email


async def test_the_routes_are_documented(http: httpx.AsyncClient) -> None:
    paths = (await http.get("/openapi.json")).json()["paths"]
    asked = paths[RESET]["post"]
    assert "202" in asked["responses"]
    assert "nothing is sent" in asked["description"]
    confirmed = paths[CONFIRM]["post"]
    assert {"204", "400", "422"} <= set(confirmed["responses"])
