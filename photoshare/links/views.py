"""Views of links without a policy, counted in memory and written in batches.

A link without a policy is served from the hot renders without reading its document; a
write per view would take that away. Its views are added up here and written once a
second by a task the lifespan runs (and when the app stops), in one bulk write; until then
this process shows them from here.
A gated link's view is one atomic update instead (``policies.count_view``).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from pymongo import UpdateOne

from photoshare.clock import utcnow
from photoshare.db import collection
from photoshare.links.models import Link

log = logging.getLogger(__name__)

WRITE_INTERVAL_SECONDS = 1.0


class ViewTally:
    """Views of plain links not yet written: per slug, how many and when the last was."""

    def __init__(self, interval: float = WRITE_INTERVAL_SECONDS) -> None:
        self._pending: dict[str, tuple[int, datetime]] = {}
        self._interval = interval

    def pending(self, slug: str) -> tuple[int, datetime | None]:
        """The views of ``slug`` not written yet, and the time of the last one."""
        return self._pending.get(slug, (0, None))

    def add(self, slug: str) -> None:
        """Count one view (written by the next ``write``)."""
        views, _ = self._pending.get(slug, (0, None))
        self._pending[slug] = (views + 1, utcnow())

    async def keep_writing(self) -> None:
        """Write the pending views every interval, until cancelled."""
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.write()
            except Exception:
                # The database did not answer: these views are lost, later ones are not.
                log.exception("link views could not be written")

    async def write(self) -> None:
        """Write every pending view in one bulk write."""
        batch, self._pending = self._pending, {}
        if not batch:
            return
        await collection(Link).bulk_write(
            [
                UpdateOne(
                    {"slug": slug}, {"$inc": {"views": views}, "$set": {"last_viewed_at": at}}
                )
                for slug, (views, at) in batch.items()
            ],
            ordered=False,
        )
