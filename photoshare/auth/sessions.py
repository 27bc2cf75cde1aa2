"""Logins a person can see and end: one LoginSession per login.

A login's id is the ``sid`` its tokens carry. It is no credential (tokens are signed, and
revoking by id needs the owner's token), and only its owner ever sees it, so the stored
document uses it as ``_id`` and the API shows it as the session's ``id``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel

from photoshare.auth.schemas import SessionOut
from photoshare.clock import utcnow
from photoshare.db import DuplicateKeyError, collection
from photoshare.errors import NotFound
from photoshare.schemas import Page, Pagination

# A session's last use is written at most this often, so a busy login does not write
# on every request.
TOUCH_INTERVAL = timedelta(minutes=1)
USER_AGENT_MAX_CHARS = 256


class LoginSession(Document):
    id: str  # type: ignore[assignment]
    user_id: PydanticObjectId
    created_at: datetime
    last_used_at: datetime
    user_agent: str | None = None
    ip: str | None = None
    ended_at: datetime | None = None
    # The last refresh token's expiry while live, the moment it ended once ended.
    expires_at: datetime

    class Settings:
        name = "sessions"
        indexes = [
            IndexModel(
                [
                    ("user_id", ASCENDING),
                    ("ended_at", ASCENDING),
                    ("created_at", DESCENDING),
                    ("_id", DESCENDING),
                ],
                name="user_live_newest",
            ),
            # MongoDB removes a session once it has ended or its last token has expired.
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expires_ttl"),
        ]


def _agent(user_agent: str | None) -> str | None:
    return user_agent[:USER_AGENT_MAX_CHARS] if user_agent else None


async def note(
    session_id: str,
    user_id: PydanticObjectId,
    *,
    expires_at: datetime,
    user_agent: str | None,
    ip: str | None,
) -> None:
    """Record a login as it starts or refreshes; ``expires_at`` is its last token's expiry.

    A refreshed login from before sessions were recorded gets its record now, with the
    refresh's client as its own.
    """
    now = utcnow()
    try:
        await collection(LoginSession).update_one(
            {"_id": session_id, "ended_at": None},
            {
                "$set": {"last_used_at": now, "expires_at": expires_at},
                "$setOnInsert": {
                    "user_id": user_id,
                    "created_at": now,
                    "user_agent": _agent(user_agent),
                    "ip": ip,
                },
            },
            upsert=True,
        )
    except DuplicateKeyError:
        # The session ended while this refresh was under way: nothing to note.
        return


# Logins this process noted a use of lately, and when: between its once-a-minute writes a
# busy login then costs no query at all (the guarded update below would match nothing).
# Bounded: emptied when full, which only costs the skipped queries again.
_touched: dict[str, datetime] = {}
TOUCHED_MAX = 10_000


async def touch(session_id: str, issued_at: datetime) -> None:
    """Note a use of the login's access token, at most once per TOUCH_INTERVAL."""
    now = utcnow()
    if now - issued_at < TOUCH_INTERVAL:
        # Issuing the token just now already noted this use.
        return
    last = _touched.get(session_id)
    if last is not None and now - last < TOUCH_INTERVAL:
        return
    if len(_touched) >= TOUCHED_MAX:
        _touched.clear()
    _touched[session_id] = now
    await collection(LoginSession).update_one(
        {"_id": session_id, "ended_at": None, "last_used_at": {"$lt": now - TOUCH_INTERVAL}},
        {"$set": {"last_used_at": now}},
    )


async def end(session_ids: list[str]) -> None:
    """Mark logins ended; the TTL index then removes them."""
    now = utcnow()
    await collection(LoginSession).update_many(
        {"_id": {"$in": session_ids}, "ended_at": None},
        {"$set": {"ended_at": now, "expires_at": now}},
    )


async def live_ids(user_id: PydanticObjectId) -> list[str]:
    """The ids of a user's recorded logins that have not ended."""
    ids = await LoginSession.distinct("_id", {"user_id": user_id, "ended_at": None})
    return [str(session_id) for session_id in ids]


def _live(user_id: PydanticObjectId) -> dict[str, object]:
    return {"user_id": user_id, "ended_at": None, "expires_at": {"$gt": utcnow()}}


async def find_live(user_id: PydanticObjectId, session_id: str) -> LoginSession:
    """One of the user's live logins; another user's or an ended one is not found."""
    found = await LoginSession.find_one({"_id": session_id, **_live(user_id)})
    if found is None:
        raise NotFound("No such session")
    return found


async def page(
    user_id: PydanticObjectId, current: str | None, paging: Pagination
) -> Page[SessionOut]:
    """The user's live logins, newest first; ``current`` marks the one asking."""
    query = LoginSession.find(_live(user_id))
    total = await query.count()
    found = (
        await query.sort("-created_at", "-_id").skip(paging.offset).limit(paging.limit).to_list()
    )
    items = [
        SessionOut(
            id=session.id,
            created_at=session.created_at,
            last_used_at=session.last_used_at,
            user_agent=session.user_agent,
            ip=session.ip,
            current=session.id == current,
        )
        for session in found
    ]
    return Page[SessionOut].of(items, total, paging)
