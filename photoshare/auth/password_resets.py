"""Pending password resets: one row per mailed link, holding only its token's hash."""

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
    token_hash: str
    user_id: PydanticObjectId
    # The address the link was mailed to: a link sent before an email change is void.
    email_key: str
    expires_at: datetime
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "password_resets"
        indexes = [
            IndexModel([("token_hash", ASCENDING)], unique=True, name="token_hash_unique"),
            IndexModel([("user_id", ASCENDING)], name="user"),
            # MongoDB removes a reset once its link has expired.
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expires_ttl"),
        ]
