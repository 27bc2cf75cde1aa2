"""Image files built by the tests: good ones, and each kind of bad one."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def jpeg(width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def png(width: int = 40, height: int = 30, *, alpha: bool = False) -> bytes:
    buffer = io.BytesIO()
    mode, color = ("RGBA", (0, 128, 255, 128)) if alpha else ("RGB", (0, 128, 255))
    Image.new(mode, (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def gif(frames: int = 3) -> bytes:
    buffer = io.BytesIO()
    images = [Image.new("P", (20, 10), i) for i in range(frames)]
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def webp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 200, 10)).save(buffer, "WEBP")
    return buffer.getvalue()


def jpeg_sideways_with_gps() -> bytes:
    """A 400x200 JPEG with EXIF orientation 6 (turn 90° clockwise), GPS and camera tags.

    The top-left quarter is blue, the rest red: stored upright, it is 200x400 with blue
    in the top-right corner.
    """
    image = Image.new("RGB", (400, 200), (220, 20, 20))
    image.paste((20, 20, 220), (0, 0, 200, 100))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "EOS 5D"  # Model
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 1.0), 3: "E", 4: (4.0, 53.0, 2.0)}  # GPS IFD
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, exif=exif.tobytes())
    return buffer.getvalue()


def truncated_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 64).convert("RGB").save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    return data[: len(data) // 2]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _png_chunk(b"IEND", b"")
    )


SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEXT = b"This is plain text, whatever its name says.\n"


def noisy_jpeg(width: int, height: int, quality: int = 90) -> bytes:
    """A JPEG that compresses badly, for a large file from few pixels."""
    buffer = io.BytesIO()
    Image.effect_noise((width, height), 80).convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def avif() -> bytes:
    import pyvips

    image = pyvips.Image.black(40, 30).new_from_image([10, 200, 30]).cast("uchar")
    data: bytes = image.heifsave_buffer(compression="av1")
    return data


def heic_brand_header() -> bytes:
    """The first bytes of a HEIC file (ftyp box, brand heic) followed by junk."""
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def srgb_profile_carrying(payload: bytes) -> bytes:
    """A valid sRGB ICC profile with one more (private) tag whose data is ``payload``."""
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    (count,) = struct.unpack(">I", profile[128:132])
    table_end = 132 + 12 * count
    entries = b"".join(
        struct.pack(">4sII", signature, offset + 12, size)  # the table grows by one entry
        for signature, offset, size in struct.iter_unpack(">4sII", profile[132:table_end])
    )
    data = payload + b"\0" * (-len(payload) % 4)
    entries += struct.pack(">4sII", b"zzzz", len(profile) + 12, len(data))
    grown = profile[4:128] + struct.pack(">I", count + 1) + entries + profile[table_end:] + data
    return struct.pack(">I", 4 + len(grown)) + grown


def jpeg_with_icc(profile: bytes) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "JPEG", quality=90, icc_profile=profile)
    return buffer.getvalue()
