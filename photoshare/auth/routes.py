"""Auth routes: signup, login, refresh, logout, email confirmation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Response, status

from photoshare.auth import service
from photoshare.auth.schemas import (
    AuthConfig,
    EmailConfirmed,
    LoginForm,
    RefreshRequest,
    SignupRequest,
    TokenPair,
)
from photoshare.deps import ClientAddress, CurrentSession, RuntimeDep
from photoshare.openapi import errors
from photoshare.text import SINGLE_LINE
from photoshare.users import service as users_service
from photoshare.users.schemas import Me

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    summary="Create an account",
    responses=errors(400, 409, 429, 503),
)
async def signup(
    data: SignupRequest, runtime: RuntimeDep, address: ClientAddress, background: BackgroundTasks
) -> Me:
    """Create an account; the first account ever created is the admin.

    When `GET /auth/config` names a captcha, `captcha_token` must be a solved one.
    """
    user = await service.signup(runtime, data, client_address=address)
    background.add_task(service.send_confirmation_email, runtime, user)
    return await users_service.me(user)


@router.get("/config", summary="What a signup form needs")
async def auth_config(runtime: RuntimeDep) -> AuthConfig:
    """Tell clients whether signup needs a captcha (and its sitekey) and email confirmation."""
    return service.client_config(runtime)


@router.post(
    "/login", summary="Log in with username or email", responses=errors(401, 403, 429, 503)
)
async def login(
    form: Annotated[LoginForm, Depends()],
    runtime: RuntimeDep,
    address: ClientAddress,
) -> TokenPair:
    """Exchange a username (or email) and password for an access and a refresh token."""
    return await service.login(runtime, form.username, form.password, address)


@router.post("/refresh", summary="Rotate a refresh token", responses=errors(401))
async def refresh(data: RefreshRequest, runtime: RuntimeDep) -> TokenPair:
    """Exchange a refresh token, once, for a new token pair."""
    return await service.refresh(runtime, data.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Log out")
async def logout(session: CurrentSession, runtime: RuntimeDep) -> Response:
    """Revoke this access token and its login's refresh token."""
    await service.logout(runtime, session)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/confirm", summary="Confirm an email address", responses=errors(401))
async def confirm(
    runtime: RuntimeDep, token: Annotated[str, Query(max_length=4096), SINGLE_LINE]
) -> EmailConfirmed:
    """Confirm the email address the emailed link was sent to."""
    user = await service.confirm_email(runtime, token)
    return EmailConfirmed(email=user.email, email_confirmed=user.email_confirmed)
