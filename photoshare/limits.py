"""Write rate limits per account: comments, uploads and share links.

Each write is counted in Redis (``photoshare.kv.RateCounters``, one atomic script) before
its work starts, so every worker shares the count and concurrent requests cannot all
take the last unit. A write that then fails (bad input, a refusal, an unavailable
service) changed nothing and is given back; a request refused by validation before the
route runs (422) is never counted. Every role has the same limits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from photoshare.config import Settings
from photoshare.errors import TooManyRequests
from photoshare.kv import Quota, RateCounters
from photoshare.runtime import Runtime
from photoshare.users.models import User


@dataclass(frozen=True)
class Write:
    """A kind of write limited per account: its counter's name, what a 429 calls it, its
    window and the setting that holds its limit."""

    name: str
    noun: str
    window_seconds: int
    allowed: Callable[[Settings], int]


# The one table of limited writes.
COMMENTS = Write("comment", "comments", 60, lambda s: s.rate_limit_comments_per_minute)
UPLOADS = Write("upload", "uploads", 3600, lambda s: s.rate_limit_uploads_per_hour)
LINKS = Write("link", "share links", 3600, lambda s: s.rate_limit_links_per_hour)


class Spending:
    """One counted write; ``give_back`` uncounts it (at most once)."""

    def __init__(self, counters: RateCounters, quota: Quota) -> None:
        self._counters = counters
        self._quota = quota
        self._counted = True

    async def give_back(self) -> None:
        """Uncount this write: it turned out to create nothing."""
        if self._counted:
            self._counted = False
            await self._counters.refund(self._quota)


@asynccontextmanager
async def spend(runtime: Runtime, write: Write, user: User) -> AsyncIterator[Spending]:
    """Count one write of ``user`` (429 when the quota is spent); uncount it if it fails."""
    quota = Quota(
        f"writes:{write.name}:user:{user.id}", write.allowed(runtime.settings), write.window_seconds
    )
    counters = runtime.kv.counters
    wait = await counters.take(quota)
    if wait is not None:
        raise TooManyRequests(
            f"Too many {write.noun} from this account; try again in {wait} seconds",
            retry_after=wait,
        )
    spending = Spending(counters, quota)
    try:
        yield spending
    except Exception:
        # Whatever failed (bad input, a refusal, a service down) created nothing.
        await spending.give_back()
        raise
