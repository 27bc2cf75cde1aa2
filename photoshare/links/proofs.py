"""Signed proofs that a link's password was given, kept in a cookie on the link's path."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

from photoshare.clock import utcnow
from photoshare.links.models import Link

# The cookie that proves a link's password was given; scoped to the link's own path.
PROOF_COOKIE = "link_proof"


class LinkProofs:
    """Signs and checks password proofs: ``<expiry>.<HMAC-SHA256 of the link id and expiry>``."""

    def __init__(self, secret_key: str, lifetime: timedelta) -> None:
        self._key = hashlib.sha256(b"photoshare link proof\0" + secret_key.encode()).digest()
        self.lifetime = lifetime

    def _mac(self, link_id: str, expires: int) -> str:
        digest = hmac.new(self._key, f"{link_id}|{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self, link: Link) -> str:
        expires = int((utcnow() + self.lifetime).timestamp())
        return f"{expires}.{self._mac(str(link.id), expires)}"

    def proves(self, link: Link, proof: str | None) -> bool:
        """Whether ``proof`` was issued for this link and has not expired."""
        expires_text, _, mac = (proof or "").partition(".")
        if not (expires_text.isascii() and expires_text.isdigit()) or len(expires_text) > 12:
            return False
        expires = int(expires_text)
        if expires < utcnow().timestamp():
            return False
        expected = self._mac(str(link.id), expires).encode()
        return hmac.compare_digest(mac.encode(errors="replace"), expected)
