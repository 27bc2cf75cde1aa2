"""Accounts and logins: signup, password login, token rotation, logout, confirmation."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from beanie import PydanticObjectId

from photoshare.auth import sessions
from photoshare.auth.models import RefreshToken
from photoshare.auth.schemas import AuthConfig, CaptchaConfig, SignupRequest, TokenPair
from photoshare.auth.tokens import TokenClaims, TokenType
from photoshare.clock import utcnow
from photoshare.db import DuplicateKeyError, collection
from photoshare.errors import Conflict, NotAllowed, NotAuthenticated, ServiceUnavailable
from photoshare.runtime import Runtime
from photoshare.users.identity import account_key, duplicate_field
from photoshare.users.models import Role, SiteClaim, User

log = logging.getLogger(__name__)

FIRST_ADMIN_CLAIM = "first-admin"
WRONG_CREDENTIALS = "Incorrect username or password"


@dataclass(frozen=True)
class AuthSession:
    """The user behind a verified access token, and that token's claims."""

    user: User
    claims: TokenClaims


async def _new_password_hash(
    runtime: Runtime, data: SignupRequest, client_address: str | None
) -> str:
    password = data.password
    if client_address is None:
        return await runtime.passwords.hash(password)
    await runtime.signup_throttle.take(client_address)
    try:
        if runtime.captcha is not None:
            # Before the costly hash: a bot without a solved captcha costs us one request.
            await runtime.captcha.verify(data.captcha_token, client_address)
        return await runtime.passwords.hash(password)
    except ServiceUnavailable:
        # Turned away before any work was done: the signup does not count.
        await runtime.signup_throttle.refund(client_address)
        raise


async def signup(runtime: Runtime, data: SignupRequest, *, client_address: str | None) -> User:
    """Create an account; the very first account becomes the admin.

    A signup from ``client_address`` spends that address's hourly quota and, when
    hCaptcha is configured, must carry a solved captcha, both before any password work;
    None (an operator's command) is neither throttled nor asked for a captcha.
    """
    user = User(
        username=data.username,
        username_key=account_key(data.username),
        email=str(data.email),
        email_key=account_key(str(data.email)),
        full_name=data.full_name or None,
        password_hash=await _new_password_hash(runtime, data, client_address),
    )
    try:
        await user.insert()
    except DuplicateKeyError as exc:
        raise Conflict(f"That {duplicate_field(exc)} is already taken") from exc
    try:
        # The claim's fixed _id lets exactly one account ever win it, even under races.
        await SiteClaim(id=FIRST_ADMIN_CLAIM, user_id=str(user.id)).insert()
    except DuplicateKeyError:
        return user
    user.role = Role.admin
    await user.set({User.role: Role.admin})
    log.info("first account %s is the admin", user.username)
    return user


def client_config(runtime: Runtime) -> AuthConfig:
    """What a signup form needs to know: the captcha to show, and whether mail must be confirmed."""
    captcha = runtime.captcha
    return AuthConfig(
        captcha=CaptchaConfig(sitekey=captcha.sitekey) if captcha is not None else None,
        email_confirmation_required=runtime.settings.require_email_confirmation,
    )


async def send_confirmation_email(runtime: Runtime, user: User) -> None:
    """Mail a single-purpose link that confirms the user's current address."""
    token, _ = runtime.tokens.issue(
        TokenType.email_confirmation,
        str(user.id),
        timedelta(hours=runtime.settings.email_token_hours),
        email=user.email_key,
    )
    link = f"{runtime.settings.base_url}/api/v1/auth/confirm?token={token}"
    body = (
        f"Hello {user.username},\n\nconfirm your email address for PhotoShare by opening:\n"
        f"{link}\n\nIf you did not sign up, ignore this message.\n"
    )
    try:
        await runtime.mailer.send(user.email, "Confirm your PhotoShare email", body)
    except Exception:
        # A mail outage must not undo the signup; the user can ask again later.
        log.exception("could not send the confirmation email to user %s", user.id)


async def confirm_email(runtime: Runtime, token: str) -> User:
    """Mark the address in a confirmation token as confirmed."""
    claims = runtime.tokens.decode(token, TokenType.email_confirmation)
    user = await _user_by_id(claims.sub)
    if user is None or claims.email != user.email_key:
        raise NotAuthenticated("This confirmation link is no longer valid")
    if not user.email_confirmed:
        user.email_confirmed = True
        await user.set({User.email_confirmed: True})
    return user


async def _user_by_id(user_id: str) -> User | None:
    if not PydanticObjectId.is_valid(user_id):
        return None
    return await User.get(PydanticObjectId(user_id))


async def _issue_pair(runtime: Runtime, user: User, session_id: str) -> TokenPair:
    settings = runtime.settings
    access, _ = runtime.tokens.issue(
        TokenType.access,
        str(user.id),
        timedelta(minutes=settings.access_token_minutes),
        session_id=session_id,
    )
    refresh, refresh_claims = runtime.tokens.issue(
        TokenType.refresh,
        str(user.id),
        timedelta(days=settings.refresh_token_days),
        session_id=session_id,
    )
    assert user.id is not None
    await RefreshToken(
        jti=refresh_claims.jti,
        user_id=user.id,
        session_id=session_id,
        expires_at=refresh_claims.exp,
    ).insert()
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=settings.access_token_minutes * 60,
    )


def _ensure_may_log_in(runtime: Runtime, user: User) -> None:
    if not user.is_active:
        raise NotAllowed("This account has been banned")
    if runtime.settings.require_email_confirmation and not user.email_confirmed:
        raise NotAllowed("Confirm your email address first; the link is in your inbox")


async def login(
    runtime: Runtime,
    name: str,
    password: str,
    client_address: str,
    user_agent: str | None = None,
) -> TokenPair:
    """Check a username-or-email and password and start a new login (a session)."""
    key = account_key(name)
    field = User.email_key if "@" in key else User.username_key
    user = await User.find_one(field == key)
    # Username and email of one account share its counter; an unknown name has its own.
    account = f"user:{user.id}" if user else f"name:{key}"
    await runtime.throttle.take(account, client_address)
    try:
        verified = await runtime.passwords.verify(user.password_hash if user else None, password)
    except ServiceUnavailable:
        await runtime.throttle.refund(account, client_address)
        raise
    if not verified:
        raise NotAuthenticated(WRONG_CREDENTIALS)
    assert user is not None
    await runtime.throttle.refund(account, client_address)
    _ensure_may_log_in(runtime, user)
    assert user.id is not None
    session_id = secrets.token_urlsafe(12)
    await sessions.note(
        session_id,
        user.id,
        expires_at=_session_expiry(runtime),
        user_agent=user_agent,
        ip=client_address,
    )
    return await _issue_pair(runtime, user, session_id=session_id)


def _session_expiry(runtime: Runtime) -> datetime:
    return utcnow() + timedelta(days=runtime.settings.refresh_token_days)


async def refresh(
    runtime: Runtime,
    refresh_token: str,
    *,
    client_address: str | None = None,
    user_agent: str | None = None,
) -> TokenPair:
    """Swap a refresh token for a new pair; a spent token ends its whole login."""
    claims = runtime.tokens.decode(refresh_token, TokenType.refresh)
    now = datetime.now(UTC)
    # Spending is one atomic update, so two racing requests cannot both succeed.
    spent = await collection(RefreshToken).update_one(
        {"jti": claims.jti, "used_at": None, "revoked": False, "expires_at": {"$gt": now}},
        {"$set": {"used_at": now}},
    )
    if spent.modified_count != 1:
        if claims.sid:
            await revoke_logins(runtime, [claims.sid])
        raise NotAuthenticated("This refresh token has already been used or revoked")
    user = await _user_by_id(claims.sub)
    if user is None or claims.sid is None:
        raise NotAuthenticated("The account no longer exists")
    if not user.is_active:
        await revoke_logins(runtime, [claims.sid])
        raise NotAuthenticated("This account has been banned")
    assert user.id is not None
    pair = await _issue_pair(runtime, user, session_id=claims.sid)
    await sessions.note(
        claims.sid,
        user.id,
        expires_at=_session_expiry(runtime),
        user_agent=user_agent,
        ip=client_address,
    )
    return pair


async def revoke_logins(runtime: Runtime, session_ids: list[str]) -> None:
    """End logins: their refresh tokens stop working and so do their access tokens."""
    if not session_ids:
        return
    await collection(RefreshToken).update_many(
        {"session_id": {"$in": session_ids}}, {"$set": {"revoked": True}}
    )
    seconds = runtime.settings.access_token_minutes * 60 + 60
    for session_id in session_ids:
        await runtime.denylist.revoke_login(session_id, seconds)
    await sessions.end(session_ids)


async def revoke_user_logins(
    runtime: Runtime, user_id: PydanticObjectId, *, keep: str | None = None
) -> None:
    """End every login of a user, optionally keeping the one making the request."""
    live = await RefreshToken.distinct("session_id", {"user_id": user_id, "revoked": False})
    # Logins from before sessions were recorded have only their refresh tokens.
    live = sorted(set(live) | set(await sessions.live_ids(user_id)))
    await revoke_logins(runtime, [sid for sid in live if sid != keep])


async def revoke_session(runtime: Runtime, session: AuthSession, session_id: str) -> None:
    """End one of the caller's own live logins; another user's is not found."""
    assert session.user.id is not None
    await sessions.find_live(session.user.id, session_id)
    await revoke_logins(runtime, [session_id])


async def revoke_other_sessions(runtime: Runtime, session: AuthSession) -> None:
    """End every login of the caller except the one making this request."""
    assert session.user.id is not None
    await revoke_user_logins(runtime, session.user.id, keep=session.claims.sid)


async def logout(runtime: Runtime, session: AuthSession) -> None:
    """Revoke the presented access token and its whole login (every token it was issued)."""
    claims = session.claims
    await runtime.denylist.revoke_token(claims.jti, claims.seconds_left + 5)
    if claims.sid:
        # Earlier access tokens of this login (from before a refresh) end with it.
        await revoke_logins(runtime, [claims.sid])


async def authenticate(runtime: Runtime, token: str) -> AuthSession:
    """Resolve a bearer token to a live, active user or raise 401."""
    claims = runtime.tokens.decode(token, TokenType.access)
    if await runtime.denylist.is_revoked(claims.jti, claims.sid):
        raise NotAuthenticated("This token has been revoked")
    user = await _user_by_id(claims.sub)
    if user is None:
        raise NotAuthenticated("The account no longer exists")
    if not user.is_active:
        raise NotAuthenticated("This account has been banned")
    if claims.sid:
        await sessions.touch(claims.sid, claims.iat)
    return AuthSession(user=user, claims=claims)
