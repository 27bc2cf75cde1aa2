"""The User document."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from photoshare.clock import utcnow


class Role(StrEnum):
    user = "user"
    moderator = "moderator"
    admin = "admin"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


_ROLE_RANK = {Role.user: 0, Role.moderator: 1, Role.admin: 2}


class User(Document):
    username: str
    # Folded copies (NFKC + case folding, photoshare.text.fold) carry the unique indexes:
    # uniqueness ignoring case and look-alike forms, the same on MongoDB and embedded.
    username_key: str
    email: str
    email_key: str
    password_hash: str
    full_name: str | None = None
    bio: str | None = None
    avatar_key: str | None = None
    avatar_url: str | None = None
    role: Role = Role.user
    is_active: bool = True
    email_confirmed: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    # Kept beside the comments (which live in photos) so a profile costs the same
    # however much its owner has written.
    comments_written: int = 0

    class Settings:
        name = "users"
        indexes = [
            IndexModel([("username_key", ASCENDING)], unique=True, name="username_key_unique"),
            IndexModel([("email_key", ASCENDING)], unique=True, name="email_key_unique"),
            IndexModel([("role", ASCENDING), ("is_active", ASCENDING)], name="role_active"),
        ]


class SiteClaim(Document):
    """A one-time claim, such as "the first account becomes admin"; the _id makes it unique."""

    id: str  # type: ignore[assignment]
    user_id: str | None = None  # None for a claim the service makes itself (a migration)
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "site_claims"
