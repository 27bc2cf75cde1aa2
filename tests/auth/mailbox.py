"""A real SMTP server (aiosmtpd on 127.0.0.1) whose messages the tests read."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from photoshare.config import Settings
from tests.servers import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 OK"

    def about(self, subject: str | None) -> list[Message]:
        """The messages whose subject contains ``subject`` (all of them for None)."""
        return [m for m in self.messages if subject is None or subject in str(m["Subject"])]

    async def wait_for(self, count: int, about: str | None = None) -> list[Message]:
        for _ in range(200):
            if len(self.about(about)) >= count:
                return self.about(about)
            await asyncio.sleep(0.025)
        raise AssertionError(f"expected {count} messages, got {len(self.about(about))}")


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def link_in(message: Message, pattern: str) -> str:
    """The first group of ``pattern`` in the message's text."""
    found = re.search(pattern, body_of(message))
    assert found is not None, body_of(message)
    return found.group(1)


def mailing_settings(
    make_settings: Callable[..., Settings], smtp_port: int, **more: Any
) -> Settings:
    """Settings that mail through the test SMTP server, with links on a public address."""
    return make_settings(
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_security="none",
        public_base_url="https://photos.example.org",
        **more,
    )


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """An SMTP server on a free 127.0.0.1 port, and the inbox it delivers to."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
