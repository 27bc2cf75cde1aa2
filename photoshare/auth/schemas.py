"""Request and response shapes of the auth routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, EmailStr

from photoshare.users.schemas import FullName, Password, Username


class SignupRequest(BaseModel):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "username": "ada",
                    "email": "ada@example.com",
                    "password": "correct horse battery",
                    "full_name": "Ada Lovelace",
                }
            ]
        },
    }

    username: Username
    email: EmailStr
    password: Password
    full_name: FullName | None = None


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class RefreshRequest(BaseModel):
    refresh_token: str


class EmailConfirmed(BaseModel):
    email: str
    email_confirmed: bool
