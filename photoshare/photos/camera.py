"""A photo's camera facts, as the Photo document keeps them and as the API shows them.

MongoDB keeps a moment without its offset, so ``taken_at`` is stored as UTC with the
camera's offset beside it (``taken_at_offset_minutes``) and shown again in that offset.
A time without an offset (the camera's wall clock, its zone unknown) is stored as if it
were UTC with no offset and shown as it was written, without one; it sorts among the
others as if it were UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from photoshare.media.metadata import CameraFacts
from photoshare.photos.models import Photo


def camera_fields(facts: CameraFacts) -> dict[str, Any]:
    """The Photo fields that keep ``facts``."""
    taken, offset = facts.taken_at, None
    if taken is not None:
        shift = taken.utcoffset()
        if shift is None:
            taken = taken.replace(tzinfo=UTC)
        else:
            offset = round(shift.total_seconds() / 60)
            taken = taken.astimezone(UTC)
    return {
        "taken_at": taken,
        "taken_at_offset_minutes": offset,
        "taken_at_known": True if taken is not None else None,
        "camera": facts.camera,
    }


def shown_taken_at(photo: Photo) -> datetime | None:
    """When the photo was taken, in the camera's offset, or naive when it gave none."""
    taken = photo.taken_at
    if taken is None:
        return None
    if taken.tzinfo is None:  # MongoDB's dates are UTC
        taken = taken.replace(tzinfo=UTC)
    if photo.taken_at_offset_minutes is None:
        return taken.astimezone(UTC).replace(tzinfo=None)
    return taken.astimezone(timezone(timedelta(minutes=photo.taken_at_offset_minutes)))
