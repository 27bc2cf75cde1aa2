"""What a photo's EXIF tells about when and with what it was taken; never where.

The uploaded EXIF block (``exif-data``, which libvips' loaders attach to the image, or
for HEIC the block ``decoding`` read with libheif) is read by exifread before the stored
copy drops it. Only the fields of ``CameraFacts`` are kept; GPS and everything else is
read by nobody. Garbage in any field (or a broken block) gives None for that field,
never an error.

``taken_at`` is DateTimeOriginal (with SubSecTimeOriginal) and, when OffsetTimeOriginal
gives it, that offset: an aware datetime. Without an offset it is the camera's wall clock
as a naive datetime, the time zone unknown.
"""

from __future__ import annotations

import io
import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import exifread
from pydantic import BaseModel, Field

from photoshare.media.vips import pyvips

log = logging.getLogger(__name__)

# exifread logs every tag it reads, GPS coordinates included, at DEBUG: it says nothing,
# whatever the level of the loggers above it.
_EXIFREAD_LOG = logging.getLogger("exifread")
_EXIFREAD_LOG.setLevel(logging.CRITICAL + 1)
_EXIFREAD_LOG.propagate = False

MAX_TEXT = 100  # characters kept of make, model and lens
_EXIF_HEADER = b"Exif\0\0"
_DATE_TIME = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$")
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")
_SUBSECOND = re.compile(r"^\d{1,6}$")
_MAX_OFFSET = timedelta(hours=14)
# Years a photo can have been taken in; outside them a time is garbage (and near the
# calendar's ends, moving it to UTC would overflow).
_YEARS = (1800, 9000)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class Camera(BaseModel):
    """The camera as its EXIF described it, each field null when unknown; never where."""

    make: str | None = None
    model: str | None = None
    lens: str | None = None
    focal_length_mm: float | None = Field(default=None, description="Focal length in mm.")
    f_number: float | None = Field(default=None, description="Aperture: 2.8 is f/2.8.")
    exposure_time: str | None = Field(
        default=None,
        description='As photographers write it: "1/250" for short times, seconds ("0.8", "2") '
        "for long ones.",
    )
    iso: int | None = None


@dataclass(frozen=True)
class CameraFacts:
    """When and with what a photo was taken; None when unknown."""

    taken_at: datetime | None = None
    camera: Camera | None = None


def _tags(image: pyvips.Image, blob: bytes | None) -> dict[str, Any]:
    if blob is None and image.get_typeof("exif-data"):
        blob = image.get("exif-data")
    if not isinstance(blob, bytes) or not blob:
        return {}
    if blob.startswith(_EXIF_HEADER):
        blob = blob[len(_EXIF_HEADER) :]
    try:
        tags: dict[str, Any] = exifread.process_file(
            io.BytesIO(blob), details=False, extract_thumbnail=False
        )
    except Exception:  # exifread raises anything on a broken block: then nothing is known
        log.info("could not read the EXIF block of an upload (%d bytes)", len(blob))
        return {}
    return tags


def _text(tags: dict[str, Any], name: str) -> str | None:
    value = getattr(tags.get(name), "values", None)
    if not isinstance(value, str):
        return None
    cleaned = " ".join(_CONTROL.sub(" ", value).split())[:MAX_TEXT]
    return cleaned or None


def _number(tags: dict[str, Any], name: str) -> Fraction | None:
    values = getattr(tags.get(name), "values", None)
    if not isinstance(values, list) or not values:
        return None
    first = values[0]
    try:
        number = Fraction(first)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return number if number > 0 else None


def _rounded(number: Fraction | None, *, most: float) -> float | None:
    if number is None or number > most:
        return None
    value = round(float(number), 2)
    return value if math.isfinite(value) and value > 0 else None


def _exposure(number: Fraction | None) -> str | None:
    """As photographers write it: "1/250" for short times, seconds ("0.8", "2") for long ones."""
    if number is None or number > 3600:
        return None
    if number.numerator == 1:
        return f"1/{number.denominator}"
    if number < Fraction(1, 3):  # 10/2500 of a second: 1/250
        return f"1/{round(1 / number)}"
    return f"{round(float(number), 1):g}"


def _iso(number: Fraction | None) -> int | None:
    if number is None or number.denominator != 1 or number > 10_000_000:
        return None
    return int(number)


def _offset(text: str | None) -> timezone | None:
    found = _OFFSET.match(text or "")
    if not found:
        return None
    sign, hours, minutes = found.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > _MAX_OFFSET or int(minutes) >= 60:
        return None
    return timezone(-delta if sign == "-" else delta)


def _taken_at(tags: dict[str, Any]) -> datetime | None:
    found = _DATE_TIME.match(_text(tags, "EXIF DateTimeOriginal") or "")
    if not found:
        return None
    subsecond = _text(tags, "EXIF SubSecTimeOriginal") or ""
    micro = int(subsecond.ljust(6, "0")) if _SUBSECOND.match(subsecond) else 0
    year, month, day, hour, minute, second = map(int, found.groups())
    if not _YEARS[0] <= year <= _YEARS[1]:
        return None
    try:
        moment = datetime(year, month, day, hour, minute, second, micro)
    except ValueError:  # 0000:00:00 00:00:00, as cameras without a clock write
        return None
    zone = _offset(_text(tags, "EXIF OffsetTimeOriginal"))
    return moment.replace(tzinfo=zone) if zone else moment


def camera_facts(image: pyvips.Image, exif: bytes | None = None) -> CameraFacts:
    """The camera facts of the EXIF block ``exif``, else of the one ``image`` carries
    (all None without one)."""
    tags = _tags(image, exif)
    if not tags:
        return CameraFacts()
    camera = Camera(
        make=_text(tags, "Image Make"),
        model=_text(tags, "Image Model"),
        lens=_text(tags, "EXIF LensModel"),
        focal_length_mm=_rounded(_number(tags, "EXIF FocalLength"), most=10_000),
        f_number=_rounded(_number(tags, "EXIF FNumber"), most=1000),
        exposure_time=_exposure(_number(tags, "EXIF ExposureTime")),
        iso=_iso(_number(tags, "EXIF ISOSpeedRatings")),
    )
    known = camera != Camera()
    return CameraFacts(taken_at=_taken_at(tags), camera=camera if known else None)
