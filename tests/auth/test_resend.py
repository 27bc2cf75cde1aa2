"""Resending the confirmation mail: only to unconfirmed accounts, and not too often."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest

from photoshare.config import Settings
from tests.auth.mailbox import Inbox, link_in, mailing_settings, smtp_server
from tests.factories import UserFactory
from tests.servers import running_app

RESEND = "/api/v1/auth/confirm/resend"
ACCEPTED = {
    "detail": "If an unconfirmed account uses this address, a confirmation link is on its way"
}
CONFIRM_LINK = r"https://photos\.example\.org(/api/v1/auth/confirm\?token=\S+)"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    return smtp[0]


@pytest.fixture
async def http(
    make_settings: Callable[..., Settings], smtp: tuple[Inbox, int]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = mailing_settings(make_settings, smtp[1], confirmation_resends_per_hour=2)
    async with running_app(settings) as client:
        yield client


async def resend(http: httpx.AsyncClient, email: str) -> None:
    answer = await http.post(RESEND, json={"email": email})
    assert answer.status_code == 202, answer.text
    assert answer.json() == ACCEPTED


async def test_an_unconfirmed_account_gets_a_new_link_that_confirms(
    http: httpx.AsyncClient, inbox: Inbox
) -> None:
    account = await UserFactory(http).signup("waiting")
    await inbox.wait_for(1)  # the signup's own mail
    await resend(http, "WAITING@example.com")
    again = (await inbox.wait_for(2))[1]
    assert again["To"] == account.email
    assert "Confirm" in again["Subject"]

    confirmed = await http.get(link_in(again, CONFIRM_LINK))
    assert confirmed.status_code == 200
    assert confirmed.json() == {"email": account.email, "email_confirmed": True}


async def test_confirmed_and_unknown_addresses_get_nothing(
    http: httpx.AsyncClient, inbox: Inbox
) -> None:
    await UserFactory(http).signup("done")
    signup_mail = (await inbox.wait_for(1))[0]
    assert (await http.get(link_in(signup_mail, CONFIRM_LINK))).status_code == 200

    await resend(http, "done@example.com")
    await resend(http, "nobody@example.com")
    # The requests' work has run by now (the ASGI client waits for background tasks).
    assert len(inbox.messages) == 1


async def test_resends_are_limited_per_address(http: httpx.AsyncClient, inbox: Inbox) -> None:
    account = await UserFactory(http).signup()
    await inbox.wait_for(1)
    for _ in range(4):
        await resend(http, account.email)
    assert len(await inbox.wait_for(3)) == 3  # the signup's and two resends


async def test_resends_are_limited_per_account_across_an_email_change(
    http: httpx.AsyncClient, inbox: Inbox
) -> None:
    account = await UserFactory(http).login(await UserFactory(http).signup("mover"))
    await inbox.wait_for(1)
    for _ in range(2):
        await resend(http, account.email)
    await inbox.wait_for(3)
    changed = await http.patch(
        "/api/v1/users/me", json={"email": "moved@example.com"}, headers=account.headers
    )
    assert changed.status_code == 200
    assert (await inbox.wait_for(4))[3]["To"] == "moved@example.com"  # the change's own mail
    # A fresh address, but the same account: its hourly resends are spent.
    await resend(http, "moved@example.com")
    assert len(inbox.messages) == 4


async def test_bad_input_is_422(http: httpx.AsyncClient) -> None:
    for body in ({"email": "no"}, {}, {"email": "a@example.com", "more": True}):
        assert (await http.post(RESEND, json=body)).status_code == 422


async def test_the_route_is_documented(http: httpx.AsyncClient) -> None:
    resend_doc = (await http.get("/openapi.json")).json()["paths"][RESEND]["post"]
    assert "202" in resend_doc["responses"]
    assert "nothing is sent" in resend_doc["description"]
