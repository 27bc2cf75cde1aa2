"""Email confirmation through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest

from photoshare.config import Settings
from tests.auth.mailbox import Inbox, mailing_settings, smtp_server
from tests.factories import UserFactory
from tests.servers import running_app


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
async def mail_client(
    make_settings: Callable[..., Settings], smtp: tuple[Inbox, int]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = mailing_settings(make_settings, smtp[1], require_email_confirmation=True)
    async with running_app(settings) as http:
        yield http


async def test_confirmation_email_arrives_and_unlocks_login(
    mail_client: httpx.AsyncClient, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    account = await UserFactory(mail_client).signup("mailer")
    assert account.me["email_confirmed"] is False

    [message] = await inbox.wait_for(1)
    assert message["To"] == "mailer@example.com"
    assert "Confirm" in message["Subject"]
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    link = re.search(r"https://photos\.example\.org(/api/v1/auth/confirm\?token=\S+)", body)
    assert link is not None

    form = {"username": "mailer", "password": account.password}
    waiting = await mail_client.post("/api/v1/auth/login", data=form)
    assert waiting.status_code == 403
    assert "Confirm your email" in waiting.json()["detail"]

    confirmed = await mail_client.get(link.group(1))
    assert confirmed.status_code == 200
    assert confirmed.json() == {"email": "mailer@example.com", "email_confirmed": True}
    assert (await mail_client.post("/api/v1/auth/login", data=form)).status_code == 200


async def test_confirmation_link_is_single_purpose(
    mail_client: httpx.AsyncClient, smtp: tuple[Inbox, int]
) -> None:
    await UserFactory(mail_client).signup("someone")
    [message] = await smtp[0].wait_for(1)
    token = re.search(r"token=(\S+)", message.get_payload(decode=True).decode())  # type: ignore[union-attr]
    assert token is not None
    # The confirmation token is not an access token...
    me = await mail_client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {token.group(1)}"}
    )
    assert me.status_code == 401
    # ...and a garbage token confirms nothing.
    assert (
        await mail_client.get("/api/v1/auth/confirm", params={"token": "nope"})
    ).status_code == 401
