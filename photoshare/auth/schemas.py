"""Request and response shapes of the auth routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Form
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from photoshare.text import SINGLE_LINE
from photoshare.users.schemas import Email, FullName, Password, Username

# hCaptcha's response tokens run to a few kilobytes; far longer is not a token.
CAPTCHA_TOKEN_MAX_LENGTH = 16_384


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
    email: Email
    password: Password
    full_name: FullName | None = None
    captcha_token: (
        Annotated[str, Field(max_length=CAPTCHA_TOKEN_MAX_LENGTH), SINGLE_LINE] | None
    ) = Field(
        default=None,
        description="The hCaptcha response token; required when GET /auth/config names a captcha.",
    )


class LoginForm(OAuth2PasswordRequestForm):
    """The OAuth2 password form (Swagger's Authorize button), with the text rules applied."""

    def __init__(
        self,
        *,
        grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
        username: Annotated[str, Form(description="Username or email."), SINGLE_LINE],
        password: Annotated[str, Form(json_schema_extra={"format": "password"}), SINGLE_LINE],
        scope: Annotated[str, Form(), SINGLE_LINE] = "",
        client_id: Annotated[str | None, Form(), SINGLE_LINE] = None,
        client_secret: Annotated[
            str | None, Form(json_schema_extra={"format": "password"}), SINGLE_LINE
        ] = None,
    ) -> None:
        super().__init__(
            grant_type=grant_type,
            username=username,
            password=password,
            scope=scope,
            client_id=client_id,
            client_secret=client_secret,
        )


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class RefreshRequest(BaseModel):
    refresh_token: Annotated[str, Field(max_length=4096), SINGLE_LINE]


class EmailConfirmed(BaseModel):
    email: str
    email_confirmed: bool


class PasswordResetRequest(BaseModel):
    model_config = {"extra": "forbid"}

    email: Email


class PasswordResetConfirm(BaseModel):
    model_config = {"extra": "forbid"}

    token: Annotated[str, Field(min_length=1, max_length=512), SINGLE_LINE]
    password: Password


class ConfirmationResendRequest(BaseModel):
    model_config = {"extra": "forbid"}

    email: Email


class MailAccepted(BaseModel):
    """The same answer whether or not an account uses the address."""

    detail: str


class SessionOut(BaseModel):
    """One live login of the caller (GET /api/v1/auth/sessions)."""

    id: str
    created_at: datetime
    last_used_at: datetime
    user_agent: str | None = Field(description="The login's User-Agent header, truncated.")
    ip: str | None = Field(description="The client address the login came from.")
    current: bool = Field(description="Whether this is the login making the request.")


class CaptchaConfig(BaseModel):
    provider: Literal["hcaptcha"] = "hcaptcha"
    sitekey: str


class AuthConfig(BaseModel):
    """What a client's signup form needs: the captcha to render (or null), confirmation rules."""

    captcha: CaptchaConfig | None
    email_confirmation_required: bool
