"""Data migrations run at startup: each brings stored data up to a newer rule, once.

A finished migration is recorded as a site claim, so later startups pay one lookup.
Each step is idempotent and guarded, so workers starting together may both run it.
"""

from __future__ import annotations

import contextlib
import logging

from photoshare.db import DuplicateKeyError
from photoshare.links import service as links
from photoshare.photos import service as photos
from photoshare.users import service as users
from photoshare.users.models import SiteClaim

log = logging.getLogger(__name__)

# v1.1: text is compared folded (NFKC + case folding) where earlier versions lower-cased.
FOLDED_TEXT = "migration:folded-text"


# v1.1: accounts count the comments they wrote (profiles no longer count them from photos).
COMMENT_COUNTERS = "migration:comment-counters"


# v1.1: links with a policy (and album links) share a photo and transformation; v1.0's
# unique index over those two alone would refuse them.
LINK_POLICIES = "migration:link-policies"


async def _fold_text() -> None:
    accounts = await users.refold_account_keys()
    refolded = await photos.refold_text()
    if accounts or refolded:
        log.info("text folding: %d account keys and %d photos updated", accounts, refolded)


async def _count_comments() -> None:
    authors = await users.recount_comments_written()
    if authors:
        log.info("comment counters: counted the comments of %d authors", authors)


async def _retire_single_link_index() -> None:
    if await links.retire_single_link_index():
        log.info("link policies: dropped the v1.0 index of one link per photo and transformation")


_MIGRATIONS = (
    (FOLDED_TEXT, _fold_text),
    (COMMENT_COUNTERS, _count_comments),
    (LINK_POLICIES, _retire_single_link_index),
)


async def migrate() -> None:
    """Run every migration this database has not recorded yet, in order."""
    for claim, migration in _MIGRATIONS:
        if await SiteClaim.get(claim) is not None:
            continue
        await migration()
        with contextlib.suppress(DuplicateKeyError):  # another worker recorded it first
            await SiteClaim(id=claim).insert()
