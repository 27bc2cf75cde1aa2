"""Pending password resets: at most one per account, holding only its token's hash."""

from __future__ import annotations

import hashlib
from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from photoshare.clock import utcnow


def token_digest(token: str) -> str:
    """The stored form of a reset token: its SHA-256, so a database leak holds no live link."""
    return hashlib.sha256(token.encode()).hexdigest()


class PasswordReset(Document):
    """The account's newest reset link; its ``_id`` is the account's, so a new one replaces it."""

    id: PydanticObjectId
    token_hash: str
    # The address the link was mailed to: a link sent before an email change is void.
    email_key: str
    expires_at: datetime
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "password_resets"
        indexes = [
            IndexModel([("token_hash", ASCENDING)], unique=True, name="token_hash_unique"),
            # MongoDB removes a reset once its link has expired.
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expires_ttl"),
        ]
