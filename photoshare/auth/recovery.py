"""Account recovery: password reset by emailed link, and resending the confirmation mail.

Both requests answer 202 whatever the address, and their routes hand all the work to a
background task, so a known and an unknown address take the same time to answer and
nothing tells them apart. Anyone can ask, so both are throttled: past a limit the
request is still accepted and nothing is sent.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from beanie import PydanticObjectId

from photoshare.auth import service
from photoshare.auth.password_resets import PasswordReset, token_digest
from photoshare.clock import utcnow
from photoshare.db import collection
from photoshare.errors import LinkNotValid
from photoshare.kv import Quota
from photoshare.runtime import Runtime
from photoshare.users.identity import account_key
from photoshare.users.models import User

log = logging.getLogger(__name__)

HOUR_SECONDS = 3600
# The album's page that reads the token from its own URL (see docs/api-guide.md).
RESET_PAGE = "/#/reset?token="
LINK_NOT_VALID = (
    "This password reset link has expired, has already been used or is not valid; ask for a new one"
)
BANNED = "This account has been banned; its password cannot be reset"


async def _within_quota(runtime: Runtime, *quotas: Quota) -> bool:
    """Count one request against every quota; False (and nothing counted) when one is spent."""
    return await runtime.kv.counters.take(*quotas) is None


async def request_password_reset(runtime: Runtime, email: str, client_address: str) -> None:
    """Mail a single-use reset link to the account using ``email``, if there is one.

    Runs after the 202 has been sent: failures are logged, never reported.
    """
    try:
        await _request_password_reset(runtime, account_key(email), client_address)
    except Exception:
        log.exception("could not handle a password reset request")


async def _request_password_reset(runtime: Runtime, email_key: str, client_address: str) -> None:
    settings = runtime.settings
    quotas = (
        Quota(
            f"reset:email:{email_key}",
            settings.password_reset_mails_per_email_per_hour,
            HOUR_SECONDS,
        ),
        Quota(
            f"reset:client:{client_address}",
            settings.password_reset_requests_per_client_per_hour,
            HOUR_SECONDS,
        ),
    )
    if not await _within_quota(runtime, *quotas):
        log.info("password reset not sent: over the hourly limit")
        return
    user = await User.find_one(User.email_key == email_key)
    if user is None or not user.is_active:
        return
    token = secrets.token_urlsafe(32)
    now = utcnow()
    pending = {
        "token_hash": token_digest(token),
        "email_key": user.email_key,
        "expires_at": now + timedelta(minutes=settings.password_reset_minutes),
        "created_at": now,
    }
    # One row per account, replaced in one write: asking again voids the earlier link.
    await collection(PasswordReset).update_one({"_id": user.id}, {"$set": pending}, upsert=True)
    await _mail_reset_link(runtime, user, token)


async def _mail_reset_link(runtime: Runtime, user: User, token: str) -> None:
    minutes = runtime.settings.password_reset_minutes
    link = f"{runtime.settings.base_url}{RESET_PAGE}{token}"
    body = (
        f"Hello {user.username},\n\nsomeone (hopefully you) asked to reset your PhotoShare "
        f"password. Choose a new one by opening this link within {minutes} minutes:\n"
        f"{link}\n\nThe link works once. Setting a new password logs you out everywhere.\n"
        "If you did not ask for this, ignore this message: your password stays as it is.\n"
    )
    await runtime.mailer.send(user.email, "Reset your PhotoShare password", body)


async def confirm_password_reset(runtime: Runtime, token: str, password: str) -> None:
    """Spend a reset token: set the new password and end every login of the account."""
    digest = token_digest(token)
    pending = await PasswordReset.find_one(
        PasswordReset.token_hash == digest, PasswordReset.expires_at > utcnow()
    )
    if pending is None:
        raise LinkNotValid(LINK_NOT_VALID)
    user = await User.get(pending.id)
    if user is None or user.email_key != pending.email_key:
        raise LinkNotValid(LINK_NOT_VALID)
    if not user.is_active:
        raise LinkNotValid(BANNED)
    # Hashed before the token is spent, so a busy server (503) leaves the link usable.
    password_hash = await runtime.passwords.hash(password)
    # Spending is one atomic delete guarded by the expiry: of racing requests, one wins.
    spent = await collection(PasswordReset).find_one_and_delete(
        {"token_hash": digest, "expires_at": {"$gt": utcnow()}}
    )
    if spent is None:
        raise LinkNotValid(LINK_NOT_VALID)
    await _set_password(runtime, pending.id, password_hash)


async def _set_password(runtime: Runtime, user_id: PydanticObjectId, password_hash: str) -> None:
    # The link reached the mailbox, which proves the address as a confirmation link would.
    await collection(User).update_one(
        {"_id": user_id}, {"$set": {"password_hash": password_hash, "email_confirmed": True}}
    )
    await service.revoke_user_logins(runtime, user_id)


async def resend_confirmation(runtime: Runtime, email: str) -> None:
    """Mail the confirmation link again to an existing, unconfirmed account using ``email``.

    Runs after the 202 has been sent: failures are logged, never reported.
    """
    try:
        await _resend_confirmation(runtime, account_key(email))
    except Exception:
        log.exception("could not handle a confirmation resend request")


async def _resend_confirmation(runtime: Runtime, email_key: str) -> None:
    limit = runtime.settings.confirmation_resends_per_hour
    if not await _within_quota(runtime, Quota(f"resend:email:{email_key}", limit, HOUR_SECONDS)):
        log.info("confirmation not resent: over the hourly limit for the address")
        return
    user = await User.find_one(User.email_key == email_key)
    if user is None or user.email_confirmed:
        return
    account = Quota(f"resend:account:{user.id}", limit, HOUR_SECONDS)
    if not await _within_quota(runtime, account):
        log.info("confirmation not resent: over the hourly limit for the account")
        return
    await service.send_confirmation_email(runtime, user)
