"""Profiles, self-service account changes and the admin's role and ban controls."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from beanie import PydanticObjectId
from fastapi import UploadFile

from photoshare.auth import service as auth_service
from photoshare.auth.service import AuthSession
from photoshare.db import DuplicateKeyError, collection, find_page
from photoshare.errors import Conflict, NotAllowed, NotFound
from photoshare.media import service as media
from photoshare.photos import stats as photo_stats
from photoshare.runtime import Runtime
from photoshare.text import NON_ASCII
from photoshare.users.identity import account_key, duplicate_field
from photoshare.users.models import Role, User
from photoshare.users.schemas import Me, Profile, UpdateMe, UserSummary

log = logging.getLogger(__name__)


async def search(prefix: str, limit: int, offset: int) -> tuple[list[UserSummary], int]:
    """Accounts whose username starts with ``prefix``, in username order (for admins)."""
    query: dict[str, Any] = {}
    if prefix.strip():
        # Escaped: the text is matched literally, never as a pattern.
        query["username_key"] = {"$regex": f"^{re.escape(account_key(prefix))}"}
    docs, total = await find_page(User, query, [("username_key", 1)], offset, limit)
    return [UserSummary.model_validate(doc) for doc in docs], total


async def refold_account_keys() -> int:
    """Re-key accounts keyed by the older rule (lower-casing only); returns how many changed.

    Only keys with a non-ASCII character can differ (for ASCII both rules agree). An
    account whose new key another account already holds keeps its old key, with a warning.
    """
    users = collection(User)
    changed = 0
    for key_field, source in (("username_key", "username"), ("email_key", "email")):
        cursor = users.find({key_field: {"$regex": NON_ASCII}}, {source: 1, key_field: 1})
        async for doc in cursor:
            key = account_key(doc[source])
            if key == doc[key_field]:
                continue
            try:
                await users.update_one({"_id": doc["_id"]}, {"$set": {key_field: key}})
            except DuplicateKeyError:
                log.warning(
                    "account %s keeps its old %s: another holds %r", doc["_id"], source, key
                )
            else:
                changed += 1
    return changed


async def by_ids(ids: Iterable[PydanticObjectId]) -> dict[PydanticObjectId, User]:
    """The users with these ids, in one query; ids of deleted accounts are simply absent."""
    # Straight to the driver: a page of photos asks for its owners on every request.
    cursor = collection(User).find({"_id": {"$in": list(set(ids))}})
    found = [User.model_validate(doc) async for doc in cursor]
    return {user.id: user for user in found if user.id is not None}


async def find_by_username(username: str) -> User | None:
    """The account with this username (compared folded), if there is one."""
    # Straight to the driver, like by_ids: every profile view starts here.
    doc = await collection(User).find_one({"username_key": account_key(username)})
    return None if doc is None else User.model_validate(doc)


async def get_by_username(username: str) -> User:
    """The account with this username (compared folded), or NotFound."""
    user = await find_by_username(username)
    if user is None:
        raise NotFound(f"No user named {username!r}")
    return user


async def count_comments_written(changes: Mapping[PydanticObjectId, int]) -> None:
    """Move each author's count of comments written by the given amount."""
    users = collection(User)
    for author_id, change in changes.items():
        if change:
            await users.update_one({"_id": author_id}, {"$inc": {"comments_written": change}})


async def recount_comments_written() -> int:
    """Set every author's counter of comments written from the photos; return how many."""
    counts = await photo_stats.comments_written_by_author()
    users = collection(User)
    for author_id, written in counts.items():
        await users.update_one({"_id": author_id}, {"$set": {"comments_written": written}})
    return len(counts)


async def me(user: User) -> Me:
    """The caller's own account, with the number of photos they posted."""
    assert user.id is not None
    return Me(
        id=str(user.id),
        username=user.username,
        email=user.email,
        full_name=user.full_name,
        bio=user.bio,
        avatar_url=user.avatar_url,
        role=user.role,
        is_active=user.is_active,
        email_confirmed=user.email_confirmed,
        created_at=user.created_at,
        photos_count=await photo_stats.photos_count(user.id),
    )


async def profile(user: User) -> Profile:
    """The public profile: the account's fields and counter, with what photos count for it."""
    assert user.id is not None
    stats = await photo_stats.profile_stats(user.id)
    return Profile(
        username=user.username,
        full_name=user.full_name,
        bio=user.bio,
        avatar_url=user.avatar_url,
        role=user.role,
        is_active=user.is_active,
        created_at=user.created_at,
        photos_count=stats.photos_count,
        comments_count=user.comments_written,
        ratings_given=stats.ratings_given,
        rating_received=stats.rating_received,
    )


async def update_me(runtime: Runtime, session: AuthSession, data: UpdateMe) -> User:
    """Apply profile changes; a new password ends the user's other logins."""
    user = session.user
    changes: dict[str, object] = {}
    if data.password is not None:
        assert data.current_password is not None
        if not await runtime.passwords.verify(user.password_hash, data.current_password):
            raise NotAllowed("current_password is not correct")
        changes["password_hash"] = await runtime.passwords.hash(data.password)
    for name in ("full_name", "bio"):
        if name in data.model_fields_set:
            changes[name] = getattr(data, name) or None
    if data.username is not None and data.username != user.username:
        changes["username"] = data.username
        changes["username_key"] = account_key(data.username)
    email_changed = data.email is not None and account_key(str(data.email)) != user.email_key
    if data.email is not None and (email_changed or str(data.email) != user.email):
        changes["email"] = str(data.email)
        changes["email_key"] = account_key(str(data.email))
        if email_changed:
            changes["email_confirmed"] = False
    if not changes:
        return user
    try:
        # Straight to the driver: Beanie reports a duplicate key on save as a revision clash.
        await collection(User).update_one({"_id": user.id}, {"$set": changes})
    except DuplicateKeyError as exc:
        raise Conflict(f"That {duplicate_field(exc)} is already taken") from exc
    for name, value in changes.items():
        setattr(user, name, value)
    if "password_hash" in changes:
        assert user.id is not None
        await auth_service.revoke_user_logins(runtime, user.id, keep=session.claims.sid)
    if email_changed:
        await auth_service.send_confirmation_email(runtime, user)
    return user


async def set_avatar(runtime: Runtime, user: User, upload: UploadFile) -> User:
    """Store a new square avatar, then drop the file it replaced.

    The swap is one atomic update that answers with the key it replaced, so however many
    uploads race, each replaced file is deleted by exactly one of them (after the new one
    is referenced) and only the last one stays.
    """
    stored = await media.store_upload(
        runtime, upload, "avatars", square=runtime.settings.avatar_size
    )
    changes = {"avatar_key": stored.key, "avatar_url": runtime.storage.url(stored.key)}
    try:
        replaced = await collection(User).find_one_and_update(
            {"_id": user.id}, {"$set": changes}, projection={"avatar_key": True}
        )
    except BaseException:
        await media.discard(runtime, stored.key)
        raise
    if replaced is None:  # the account was deleted meanwhile
        await media.discard(runtime, stored.key)
        raise NotFound("The account no longer exists")
    for name, value in changes.items():
        setattr(user, name, value)
    await media.discard(runtime, replaced.get("avatar_key"))
    return user


async def avatar_keys() -> set[str]:
    """The storage key of every account's avatar, read in one query."""
    cursor = collection(User).find({}, {"avatar_key": 1, "_id": 0})
    return {doc["avatar_key"] async for doc in cursor if doc.get("avatar_key")}


async def _count_active_admins() -> int:
    return await User.find(User.role == Role.admin, User.is_active == True).count()  # noqa: E712


async def change_role(target: User, role: Role) -> User:
    """Set a user's role, keeping at least one active admin."""
    demoting_admin = target.role is Role.admin and role is not Role.admin and target.is_active
    if demoting_admin and await _count_active_admins() <= 1:
        raise Conflict("This is the last admin; promote another admin first")
    if target.role is not role:
        await target.set({User.role: role})
    return target


async def ban(runtime: Runtime, admin: User, target: User) -> User:
    """Deactivate an account and end all its logins."""
    if target.id == admin.id:
        raise Conflict("You cannot ban yourself")
    if target.is_active:
        await target.set({User.is_active: False})
    assert target.id is not None
    await auth_service.revoke_user_logins(runtime, target.id)
    return target


async def unban(target: User) -> User:
    """Reactivate an account; its old logins stay ended."""
    if not target.is_active:
        await target.set({User.is_active: True})
    return target
