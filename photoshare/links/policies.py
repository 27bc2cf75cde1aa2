"""The gate in front of a link's URL: expiry, a view limit and a password, and the views count.

Kind-agnostic: photo and album links pass the same gate. A view is counted by one atomic
update whose filter re-checks the policy, so racing requests cannot see more views than
``max_views`` allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from photoshare.clock import utcnow
from photoshare.db import collection
from photoshare.errors import PhotoShareError, TooManyRequests
from photoshare.links.models import Link
from photoshare.runtime import Runtime

# What a browser's password form and an API client are told when no proof came along.
PROOF_ASKED_FOR = "This link is protected by a password; send it as the form field `password`"
USED_UP = "This link has been viewed as many times as it allows"


class LinkRefused(PhotoShareError):
    """A request the link's policy turns away: 410 (expired or used up) or 401 (password)."""

    def __init__(self, status_code: Literal[401, 410], detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code


@dataclass(frozen=True)
class Admission:
    """A request let through the gate: what its view is counted against."""

    slug: str
    max_views: int | None = None
    expires_at: datetime | None = None
    # Let in by a policy: no shared cache may keep the answer (each view passes the gate).
    private: bool = False

    @property
    def gated(self) -> bool:
        return self.max_views is not None or self.expires_at is not None


def _check_expiry(link: Link) -> None:
    if link.expires_at is not None and link.expires_at <= utcnow():
        raise LinkRefused(410, "This link has expired")


def _check_views_left(link: Link) -> None:
    if link.max_views is not None and link.views >= link.max_views:
        raise LinkRefused(410, USED_UP)


def check_open(link: Link) -> None:
    """Raise 410 when the link has expired or has no views left."""
    _check_expiry(link)
    _check_views_left(link)


def admit(runtime: Runtime, link: Link, proof: str | None) -> Admission:
    """Let a request for the link's URL through, or raise 410 (gone) or 401 (password).

    Only who knows the password learns whether a password link's views are used up.
    """
    _check_expiry(link)
    if link.password_hash is not None and not runtime.link_proofs.proves(link, proof):
        raise LinkRefused(401, PROOF_ASKED_FOR)
    _check_views_left(link)
    return Admission(link.slug, link.max_views, link.expires_at, private=link.has_policy)


async def count_view(runtime: Runtime, admission: Admission) -> None:
    """Count one view; raise 410 when the limit or the expiry was reached meanwhile.

    A gated view is one update: the filter holds the policy, so of racing views only those
    within the limit match (and are counted); the others are refused. Other views are
    tallied in memory and written in batches, to keep the hot renders' fast path.
    """
    if not admission.gated:
        runtime.view_tally.add(admission.slug)
        return
    now = utcnow()
    query: dict[str, object] = {"slug": admission.slug}
    if admission.max_views is not None:
        query["views"] = {"$lt": admission.max_views}
    if admission.expires_at is not None:
        query["expires_at"] = {"$gt": now}
    result = await collection(Link).update_one(
        query, {"$inc": {"views": 1}, "$set": {"last_viewed_at": now}}
    )
    if result.matched_count == 0:
        raise LinkRefused(410, USED_UP)


async def check_password(runtime: Runtime, link: Link, password: str, client_address: str) -> str:
    """A proof cookie's value for the right password; 401 for a wrong one, 429 for too many.

    Guesses are counted like logins (per link and per address) before the password work.
    """
    if link.password_hash is None:
        return runtime.link_proofs.issue(link)
    account = f"link:{link.id}"
    try:
        await runtime.throttle.take(account, client_address)
    except TooManyRequests as exc:
        raise TooManyRequests(
            "Too many wrong passwords for this link; try again later",
            retry_after=int((exc.headers or {}).get("Retry-After", "1")),
        ) from None
    if not await runtime.passwords.verify(link.password_hash, password):
        raise LinkRefused(401, "The password is not right")
    await runtime.throttle.refund(account, client_address)
    return runtime.link_proofs.issue(link)
