"""API shapes for accounts; never the User document itself."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field, StringConstraints, model_validator

from photoshare.photos.ratings.schemas import RatingSummary
from photoshare.text import MULTI_LINE, SINGLE_LINE
from photoshare.users.models import Role, User

# Checked as sent: a fullwidth ``john`` is refused here, though lookups fold it to ``john``.
Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{3,32}$"), SINGLE_LINE]
Email = Annotated[EmailStr, SINGLE_LINE]
Password = Annotated[str, Field(min_length=8, max_length=128), SINGLE_LINE]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), SINGLE_LINE]
Bio = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), MULTI_LINE]


DELETED_USER = "[deleted]"


def username_of(user: User | None) -> str:
    """A user's name as shown on what they did; a deleted account shows as [deleted]."""
    return user.username if user else DELETED_USER


class UserRef(BaseModel):
    """How a person appears on what they posted: a photo's owner, a comment's author."""

    username: str
    avatar_url: str | None

    @classmethod
    def of(cls, user: User | None) -> UserRef:
        """The reference to ``user``; a deleted account stays anonymous."""
        return cls(username=username_of(user), avatar_url=user.avatar_url if user else None)


class Me(BaseModel):
    id: str
    username: str
    email: str
    full_name: str | None
    bio: str | None
    avatar_url: str | None
    role: Role
    is_active: bool
    email_confirmed: bool
    created_at: datetime
    photos_count: int


class Profile(BaseModel):
    username: str
    full_name: str | None
    bio: str | None
    avatar_url: str | None
    role: Role
    is_active: bool
    created_at: datetime
    photos_count: int
    comments_count: int
    ratings_given: int
    rating_received: RatingSummary


class UserSummary(BaseModel):
    """An account as admins see it in the user list."""

    username: str
    email: str
    role: Role
    is_active: bool
    email_confirmed: bool
    created_at: datetime


class UpdateMe(BaseModel):
    """Any subset of the profile; a new password needs the current one."""

    model_config = {"extra": "forbid"}

    full_name: FullName | None = None
    bio: Bio | None = None
    username: Username | None = None
    email: Email | None = None
    password: Password | None = None
    current_password: Annotated[str, Field(max_length=128), SINGLE_LINE] | None = None

    @model_validator(mode="after")
    def _password_needs_current(self) -> UpdateMe:
        if self.password is not None and not self.current_password:
            raise ValueError("current_password is required to set a new password")
        return self


class RoleChange(BaseModel):
    role: Role
