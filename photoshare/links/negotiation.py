"""f_auto: the format of a link's image chosen from the request's ``Accept`` header.

A browser names the modern formats it decodes (Chrome sends ``image/avif,image/webp,
image/apng,image/svg+xml,image/*,*/*;q=0.8``, Safari ``image/webp,image/avif,...``). A
wildcard (``image/*``, ``*/*``) is sent by clients that decode neither, so only a named
type counts for AVIF and WebP, as Cloudinary and imgproxy do; ``*/*`` alone (curl) gets
the fallback, JPEG, or PNG for an image with alpha. Among the acceptable choices the
highest q-value wins, ties going to AVIF, then WebP, then the fallback; when nothing is
acceptable the fallback is served anyway (an image, rather than a 406).

AVIF encodes several times slower than WebP, and libaom cannot be stopped mid-encode, so
a render's time limit cannot cut it short: f_auto answers AVIF for images up to
AVIF_MAX_PIXELS (a Full HD screen's worth) and WebP for larger ones.
"""

from __future__ import annotations

from typing import Literal

from photoshare.links.transformations import OutputFormat
from photoshare.media.formats import AVIF, JPEG, PNG, WEBP

# The variants an f_auto link has: each is rendered, cached and served apart.
Offer = Literal["avif", "webp", "fallback"]
OFFERS: tuple[Offer, ...] = ("avif", "webp", "fallback")

# The types that say a client takes the fallback, most specific first.
_FALLBACK_RANGES = ((JPEG.content_type, PNG.content_type), ("image/*",), ("*/*",))
_NAMED: dict[Offer, str] = {"avif": AVIF.content_type, "webp": WEBP.content_type}
# A longer header is no browser's: read only its start.
_MAX_ACCEPT = 2000
# About 2 s of AVIF encoding on one core of this project's machines (scripts/bench_f_auto.py).
AVIF_MAX_PIXELS = 2_100_000


def media_ranges(accept: str) -> dict[str, float]:
    """Each media range of an Accept header with its q-value (0..1; 1 when absent).

    A range whose q-value is not a number is left out; a range named twice keeps its
    highest q-value.
    """
    ranges: dict[str, float] = {}
    for item in accept[:_MAX_ACCEPT].split(","):
        media_type, *params = (part.strip() for part in item.split(";"))
        quality = _q_value(params)
        if not media_type or quality is None:
            continue
        media_type = media_type.lower()
        ranges[media_type] = max(quality, ranges.get(media_type, 0.0))
    return ranges


def _q_value(params: list[str]) -> float | None:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return None
            return min(max(quality, 0.0), 1.0) if quality == quality else None  # NaN
    return 1.0


def chosen_offer(accept: str | None) -> Offer:
    """The variant of an f_auto image this Accept header is answered with."""
    ranges = media_ranges(accept or "")
    qualities: dict[Offer, float] = {
        offer: ranges.get(content_type, 0.0) for offer, content_type in _NAMED.items()
    }
    qualities["fallback"] = _fallback_quality(ranges)
    # max keeps the first of equals: OFFERS is the order of preference.
    best = max(OFFERS, key=lambda offer: qualities[offer])
    return best if qualities[best] > 0 else "fallback"


def _fallback_quality(ranges: dict[str, float]) -> float:
    """The q-value of JPEG/PNG: from the most specific range that names them."""
    for group in _FALLBACK_RANGES:
        named = [ranges[media_type] for media_type in group if media_type in ranges]
        if named:
            return max(named)
    return 0.0


def offered_extension(offer: Offer, size: tuple[int, int], fallback: OutputFormat) -> OutputFormat:
    """The extension an f_auto render is written in, for an image of ``size``.

    ``fallback`` is "jpg", or "png" for an image with alpha.
    """
    match offer:
        case "avif" if size[0] * size[1] <= AVIF_MAX_PIXELS:
            return "avif"
        case "avif" | "webp":
            return "webp"
    return fallback
