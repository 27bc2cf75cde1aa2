"""Data migrations run at startup: each brings stored data up to a newer rule, once.

A finished migration is recorded as a site claim, so later startups pay one lookup.
Each step is idempotent and guarded, so workers starting together may both run it.
"""

from __future__ import annotations

import contextlib
import logging

from photoshare.db import DuplicateKeyError
from photoshare.photos import service as photos
from photoshare.users import service as users
from photoshare.users.models import SiteClaim

log = logging.getLogger(__name__)

# v1.1: text is compared folded (NFKC + case folding) where earlier versions lower-cased.
FOLDED_TEXT = "migration:folded-text"


async def migrate() -> None:
    """Run every migration this database has not recorded yet."""
    if await SiteClaim.get(FOLDED_TEXT) is not None:
        return
    accounts = await users.refold_account_keys()
    refolded = await photos.refold_text()
    if accounts or refolded:
        log.info("text folding: %d account keys and %d photos updated", accounts, refolded)
    with contextlib.suppress(DuplicateKeyError):  # another worker recorded it first
        await SiteClaim(id=FOLDED_TEXT).insert()
