"""A stand-in for hCaptcha's siteverify on 127.0.0.1: it checks what the server sends, as
hCaptcha does, and can be told to be slow, broken or talk nonsense."""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Literal
from urllib.parse import parse_qs

from tests.servers import http_stand_in

SITEKEY = "10000000-ffff-ffff-ffff-000000000001"
SECRET = "0x0000000000000000000000000000000000000000"

Behaviour = Literal["honest", "slow", "garbage", "broken", "no verdict"]


@dataclass
class FakeSiteverify:
    """What the fake hCaptcha knows: the keys it issued, tokens it handed out, requests seen."""

    url: str = ""
    behaviour: Behaviour = "honest"
    slow_seconds: float = 2.0
    solved: set[str] = field(default_factory=set)
    spent: set[str] = field(default_factory=set)
    received: list[dict[str, str]] = field(default_factory=list)
    verdicts: list[dict[str, object]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def solve(self, token: str) -> str:
        """A token the widget handed to a person who solved the challenge."""
        with self.lock:
            self.solved.add(token)
            self.spent.discard(token)
        return token

    def spend(self, token: str) -> None:
        """Mark a token as checked once already, as after an earlier signup."""
        with self.lock:
            self.spent.add(token)

    def verdict(self, form: dict[str, str]) -> dict[str, object]:
        """hCaptcha's answer: one use per token, for this secret and sitekey only."""
        errors = []
        if form.get("secret") != SECRET:
            errors.append("invalid-input-secret")
        if form.get("sitekey") != SITEKEY:
            errors.append("sitekey-secret-mismatch")
        if "remoteip" in form and not _is_ip_address(form["remoteip"]):
            errors.append("invalid-remoteip")
        token = form.get("response", "")
        with self.lock:
            if not token:
                errors.append("missing-input-response")
            elif token in self.spent:
                errors.append("invalid-or-already-seen-response")
            elif token not in self.solved:
                errors.append("invalid-input-response")
            if errors:
                return {"success": False, "error-codes": errors}
            self.spent.add(token)
        return {"success": True, "challenge_ts": "2026-01-01T00:00:00Z", "hostname": "test"}


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _handler(fake: FakeSiteverify) -> type[BaseHTTPRequestHandler]:
    class Siteverify(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            fields = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            form = {name: values[-1] for name, values in fields.items()}
            form["content-type"] = self.headers.get("Content-Type", "")
            with fake.lock:
                fake.received.append(form)
            if fake.behaviour == "slow":
                time.sleep(fake.slow_seconds)
            if fake.behaviour == "broken":
                self._answer(502, b"<html>Bad gateway</html>", "text/html")
            elif fake.behaviour == "garbage":
                self._answer(200, b"<html>Welcome to the captive portal</html>", "text/html")
            elif fake.behaviour == "no verdict":
                self._answer(200, b'{"success": "maybe"}', "application/json")
            else:
                verdict = fake.verdict(form)
                with fake.lock:
                    fake.verdicts.append(verdict)
                self._answer(200, json.dumps(verdict).encode(), "application/json")

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the tests read what was received instead."""

    return Siteverify


@contextmanager
def fake_siteverify() -> Iterator[FakeSiteverify]:
    """Serve a fake siteverify on 127.0.0.1 on a free port until the block ends."""
    fake = FakeSiteverify()
    with http_stand_in(_handler(fake)) as port:
        fake.url = f"http://127.0.0.1:{port}/siteverify"
        yield fake
