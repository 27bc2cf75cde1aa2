"""Stored refresh tokens: one row per issued token, grouped by login (session_id)."""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from photoshare.clock import utcnow


class RefreshToken(Document):
    jti: str
    user_id: PydanticObjectId
    session_id: str
    expires_at: datetime
    used_at: datetime | None = None
    revoked: bool = False
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "refresh_tokens"
        indexes = [
            IndexModel([("jti", ASCENDING)], unique=True, name="jti_unique"),
            IndexModel([("session_id", ASCENDING)], name="session"),
            IndexModel([("user_id", ASCENDING), ("revoked", ASCENDING)], name="user_revoked"),
            # MongoDB removes a refresh token once it has expired.
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expires_ttl"),
        ]
