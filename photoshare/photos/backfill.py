"""Display sizes and placeholders for photos stored before they existed.

``photoshare backfill-derivatives`` walks the photos lacking sizes in ``_id`` order, a
batch at a time (memory stays bounded however many photos there are), and gives each
its sizes and placeholder. A photo done is no longer lacking, so a rerun, or a run
after an interruption, carries on with the ones left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from beanie import PydanticObjectId

from photoshare.db import collection
from photoshare.media import service as media
from photoshare.photos.models import Photo
from photoshare.photos.service import sizes_of
from photoshare.runtime import Runtime

log = logging.getLogger(__name__)

BATCH = 100
# Photos without display sizes: the field is missing (older documents) or null.
LACKING_SIZES: dict[str, Any] = {"sizes": None}


@dataclass
class BackfillProgress:
    total: int
    done: int = 0
    failed: int = 0


async def count_lacking() -> int:
    """How many photos have no display sizes yet."""
    return int(await collection(Photo).count_documents(LACKING_SIZES))


async def _derive_one(runtime: Runtime, photo_id: PydanticObjectId, key: str) -> bool:
    """Make and store one photo's sizes; False when the photo went meanwhile."""
    async with media.stored_copy(runtime, key) as stored:
        made = await runtime.images.derive(stored, runtime.settings.temp_dir)
    await media.store_sizes(runtime, key, made)
    changes = {"sizes": {n: d.model_dump() for n, d in sizes_of(made).items()}}
    result = await collection(Photo).update_one(
        {"_id": photo_id, **LACKING_SIZES}, {"$set": {**changes, "placeholder": made.placeholder}}
    )
    if (
        result.matched_count == 0
        and await collection(Photo).count_documents({"_id": photo_id}) == 0
    ):
        # Deleted while its sizes were made: they would be nobody's files.
        await media.discard(runtime, *media.size_files(runtime, key))
        return False
    return True


async def backfill(
    runtime: Runtime, report: Callable[[BackfillProgress], None], batch: int = BATCH
) -> BackfillProgress:
    """Give every photo lacking display sizes its sizes and placeholder."""
    progress = BackfillProgress(total=await count_lacking())
    after: PydanticObjectId | None = None
    while True:
        query = dict(LACKING_SIZES)
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = collection(Photo).find(query, {"storage_key": 1}).sort("_id", 1).limit(batch)
        docs = await cursor.to_list(length=batch)
        if not docs:
            return progress
        for doc in docs:
            after = doc["_id"]
            try:
                await _derive_one(runtime, doc["_id"], doc["storage_key"])
            except Exception:
                # Left lacking: reported, and tried again by the next run.
                log.exception("could not make the display sizes of photo %s", doc["_id"])
                progress.failed += 1
            else:
                progress.done += 1
            report(progress)
