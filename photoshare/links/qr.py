"""QR codes of link URLs, as PNG or SVG; the same URL always gives the same bytes."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

from photoshare.media.formats import PNG, SVG, ImageFormat
from photoshare.media.vips import pyvips

QrFormat = Literal["png", "svg"]
QR_FORMATS: dict[QrFormat, ImageFormat] = {"png": PNG, "svg": SVG}
MODULE_PIXELS = 10
QUIET_ZONE = 4


def _code(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, box_size=MODULE_PIXELS, border=QUIET_ZONE
    )
    code.add_data(url)
    code.make(fit=True)
    return code


@lru_cache(maxsize=512)
def qr_code(url: str, fmt: QrFormat) -> bytes:
    """Encode ``url`` as a QR code image (cached: generation is deterministic)."""
    code = _code(url)
    if fmt == "svg":
        svg = code.make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
        return bytes(svg.to_string(encoding="utf-8"))
    matrix = code.get_matrix()  # quiet zone included; True is a dark module
    side = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = pyvips.Image.new_from_memory(pixels, side, side, 1, "uchar")
    image = image.zoom(MODULE_PIXELS, MODULE_PIXELS)
    return bytes(image.pngsave_buffer(compression=9, bitdepth=1))
