"""Auth routes: signup, login, refresh, logout, email confirmation, password reset, sessions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Response, status

from photoshare.auth import recovery, service, sessions
from photoshare.auth.schemas import (
    AuthConfig,
    ConfirmationResendRequest,
    EmailConfirmed,
    LoginForm,
    MailAccepted,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    SessionOut,
    SignupRequest,
    TokenPair,
)
from photoshare.deps import ClientAddress, CurrentSession, Paging, RuntimeDep, UserAgent
from photoshare.openapi import errors
from photoshare.schemas import Page
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
    agent: UserAgent,
) -> TokenPair:
    """Exchange a username (or email) and password for an access and a refresh token."""
    return await service.login(runtime, form.username, form.password, address, agent)


@router.post("/refresh", summary="Rotate a refresh token", responses=errors(401))
async def refresh(
    data: RefreshRequest, runtime: RuntimeDep, address: ClientAddress, agent: UserAgent
) -> TokenPair:
    """Exchange a refresh token, once, for a new token pair."""
    return await service.refresh(
        runtime, data.refresh_token, client_address=address, user_agent=agent
    )


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


# Both answers are sent before any lookup (the work runs as a background task), so they
# take the same time whether or not an account uses the address.
RESET_ACCEPTED = "If an account uses this address, a password reset link is on its way"
RESEND_ACCEPTED = "If an unconfirmed account uses this address, a confirmation link is on its way"
_ALWAYS_ACCEPTED = (
    " Always 202 with the same body, whether or not an account uses the address; past the "
    "hourly limits per address{also} it is still 202 and nothing is sent."
)


@router.post(
    "/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Ask for a password reset link",
    description="Mail a single-use link to reset the password, valid for "
    "PHOTOSHARE_PASSWORD_RESET_MINUTES (1 h)." + _ALWAYS_ACCEPTED.format(also=" and per client"),
)
async def request_password_reset(
    data: PasswordResetRequest,
    runtime: RuntimeDep,
    address: ClientAddress,
    background: BackgroundTasks,
) -> MailAccepted:
    """Mail a password reset link to the account using this address, if there is one."""
    background.add_task(recovery.request_password_reset, runtime, str(data.email), address)
    return MailAccepted(detail=RESET_ACCEPTED)


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a new password with a reset link's token",
    responses=errors(503),
)
async def confirm_password_reset(data: PasswordResetConfirm, runtime: RuntimeDep) -> Response:
    """Set a new password with the mailed token; every login of the account ends.

    A used, expired or forged token is 400, and so is the token of a banned account.
    """
    await recovery.confirm_password_reset(runtime, data.token, data.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/confirm/resend",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Resend the email confirmation link",
    description="Mail the confirmation link again to an unconfirmed account."
    + _ALWAYS_ACCEPTED.format(also=" and per account"),
)
async def resend_confirmation(
    data: ConfirmationResendRequest, runtime: RuntimeDep, background: BackgroundTasks
) -> MailAccepted:
    """Mail the confirmation link again, if an unconfirmed account uses this address."""
    background.add_task(recovery.resend_confirmation, runtime, str(data.email))
    return MailAccepted(detail=RESEND_ACCEPTED)


SessionId = Annotated[
    str,
    Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="A session id from the list."),
]


@router.get("/sessions", summary="List your logins")
async def list_sessions(session: CurrentSession, paging: Paging) -> Page[SessionOut]:
    """List the caller's live logins (sessions), newest first; ``current`` is this one."""
    assert session.user.id is not None
    return await sessions.page(session.user.id, session.claims.sid, paging)


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End one of your logins",
    responses=errors(404),
)
async def revoke_session(
    session_id: SessionId, session: CurrentSession, runtime: RuntimeDep
) -> Response:
    """End one of the caller's logins: its tokens stop working from their next request."""
    await service.revoke_session(runtime, session, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/sessions", status_code=status.HTTP_204_NO_CONTENT, summary="End your other logins")
async def revoke_other_sessions(session: CurrentSession, runtime: RuntimeDep) -> Response:
    """End every login of the caller except the one making this request."""
    await service.revoke_other_sessions(runtime, session)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
