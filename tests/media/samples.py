"""Image files built by the tests: good ones, and each kind of bad one."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import pyvips
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


# --- Photos as cameras and phones write them, at their real sizes ---------------------
#
# Each is built from one upright scene: a soft grey ramp with a red square in the top-left
# corner, a green one top-right, a blue one bottom-left (bottom-right stays grey) and a
# flat probe patch in the centre. Stored upright, a photo shows UPRIGHT_CORNERS whatever
# its file's orientation, and PROBE in sRGB whatever its colour space.

RED, GREEN, BLUE = (220, 40, 40), (40, 180, 60), (40, 60, 220)
PROBE = (60, 160, 90)
UPRIGHT_CORNERS = ("red", "green", "blue", "grey")

# The stored pixels whose display is the upright scene, per EXIF orientation: the inverse
# of the turn the orientation asks for (5 and 7, transpose and transverse, are their own).
_STORED_FOR_UPRIGHT: dict[int, Callable[[pyvips.Image], pyvips.Image]] = {
    1: lambda image: image,
    2: lambda image: image.fliphor(),
    3: lambda image: image.rot180(),
    4: lambda image: image.flipver(),
    5: lambda image: image.rot90().fliphor(),
    6: lambda image: image.rot270(),
    7: lambda image: image.rot270().fliphor(),
    8: lambda image: image.rot90(),
}


def _flat(width: int, height: int, color: Sequence[float]) -> pyvips.Image:
    return pyvips.Image.black(width, height).new_from_image(list(color)).cast("uchar")


def scene(width: int, height: int, probe: Sequence[float] = PROBE) -> pyvips.Image:
    """The upright scene at ``width`` x ``height``; ``probe`` is the centre patch's value."""
    xyz = pyvips.Image.xyz(width, height)
    ramp = (xyz[0] + xyz[1]) * (60 / (width + height)) + 100
    image = ramp.bandjoin([ramp, ramp]).cast("uchar").copy(interpretation="srgb")
    side = min(width, height) // 8
    for color, x, y in ((RED, 0, 0), (GREEN, width - side, 0), (BLUE, 0, height - side)):
        image = image.insert(_flat(side, side, color), x, y)
    return image.insert(_flat(side, side, probe), (width - side) // 2, (height - side) // 2)


def halves(width: int, height: int) -> pyvips.Image:
    """Upright, the left half red and the right half blue (any square crop keeps both)."""
    return _flat(width // 2, height, RED).join(
        _flat(width - width // 2, height, BLUE), "horizontal"
    )


def stored_as(upright: pyvips.Image, orientation: int) -> pyvips.Image:
    """Camera pixels for ``upright``, tagged with the EXIF ``orientation`` that shows them so."""
    image = _STORED_FOR_UPRIGHT[orientation](upright).copy()
    image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
    return image


def camera_jpeg(
    width: int = 4032,
    height: int = 3024,
    orientation: int = 1,
    upright: Callable[[int, int], pyvips.Image] = scene,
    **options: Any,
) -> bytes:
    """A ``width`` x ``height`` camera JPEG (as stored by the sensor) with that orientation."""
    shown = (height, width) if orientation >= 5 else (width, height)
    data: bytes = stored_as(upright(*shown), orientation).jpegsave_buffer(Q=90, **options)
    return data


def color_name(pixel: Sequence[float]) -> str:
    """red, green or blue when that channel leads by far; grey when none stands out."""
    channels = [float(value) for value in pixel[:3]]
    for name, index in (("red", 0), ("green", 1), ("blue", 2)):
        others = channels[:index] + channels[index + 1 :]
        if channels[index] > max(others) + 60:
            return name
    return "grey" if max(channels) - min(channels) < 40 else "other"


def corner_colors(image: Image.Image) -> tuple[str, ...]:
    """The colour names at the top-left, top-right, bottom-left and bottom-right corners."""
    width, height = image.size
    inset = min(width, height) // 32
    points = ((inset, inset), (width - inset, inset), (inset, height - inset))
    points += ((width - inset, height - inset),)
    rgb = image.convert("RGB")
    return tuple(color_name(rgb.getpixel(point)) for point in points)  # type: ignore[arg-type]


def center(image: Image.Image) -> tuple[int, int, int]:
    red, green, blue = image.convert("RGB").getpixel((image.width // 2, image.height // 2))  # type: ignore[misc]
    return red, green, blue


# --- Colour spaces --------------------------------------------------------------------


def libvips_profile(name: str) -> bytes:
    """One of libvips' built-in ICC profiles ("p3", "cmyk"), as bytes."""
    image = _flat(1, 1, (128, 128, 128)).copy(interpretation="srgb")
    data: bytes = image.icc_transform(name, input_profile="srgb").get("icc-profile-data")
    return data


def _s15f16(*values: float) -> bytes:
    return b"".join(struct.pack(">i", round(value * 65536)) for value in values)


def adobe_rgb_profile() -> bytes:
    """An ICC v2 matrix/TRC profile of Adobe RGB (1998): its primaries adapted to D50 and
    a 563/256 (2.2) gamma, as Adobe's own profile has them."""
    ascii_text = b"Adobe RGB (1998) compatible\0"
    tags = [
        (b"desc", b"desc\0\0\0\0" + struct.pack(">I", len(ascii_text)) + ascii_text + b"\0" * 79),
        (b"cprt", b"text\0\0\0\0No copyright, test profile\0"),
        (b"wtpt", b"XYZ \0\0\0\0" + _s15f16(0.9642, 1.0, 0.82491)),
        (b"rXYZ", b"XYZ \0\0\0\0" + _s15f16(0.60974, 0.31111, 0.01947)),
        (b"gXYZ", b"XYZ \0\0\0\0" + _s15f16(0.20528, 0.62567, 0.06087)),
        (b"bXYZ", b"XYZ \0\0\0\0" + _s15f16(0.14919, 0.06322, 0.74457)),
    ]
    gamma = b"curv\0\0\0\0" + struct.pack(">IH", 1, 563) + b"\0\0"
    tags += [(b"rTRC", gamma), (b"gTRC", gamma), (b"bTRC", gamma)]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += struct.pack(">4sII", signature, offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = struct.pack(">I4sI4s4s4s", size, b"", 0x02100000, b"mntr", b"RGB ", b"XYZ ")
    header += (
        b"\0" * 12 + b"acsp" + b"\0" * 24 + struct.pack(">I", 0) + _s15f16(0.9642, 1.0, 0.82491)
    )
    header += b"\0" * (128 - len(header))
    return header + struct.pack(">I", len(tags)) + table + data


def encoded_in(profile: bytes, srgb: Sequence[int]) -> tuple[int, ...]:
    """An sRGB colour's values in the colour space of ``profile`` (converted by LittleCMS)."""
    from PIL import ImageCms

    to_profile = ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"),
        ImageCms.ImageCmsProfile(io.BytesIO(profile)),
        "RGB",
        "RGB",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
    )
    converted = ImageCms.applyTransform(Image.new("RGB", (1, 1), tuple(srgb)), to_profile)
    assert converted is not None
    return tuple(converted.getpixel((0, 0)))  # type: ignore[arg-type]


def wide_gamut_jpeg(profile: bytes, width: int, height: int, orientation: int) -> bytes:
    """A photo in the colour space of an RGB ``profile``, which it embeds: the probe holds
    PROBE's values in that space (the rest of the scene is left as it is)."""
    shown = (height, width) if orientation >= 5 else (width, height)
    upright = scene(*shown, probe=encoded_in(profile, PROBE))
    image = stored_as(upright, orientation)
    image.set_type(pyvips.GValue.blob_type, "icc-profile-data", profile)
    data: bytes = image.jpegsave_buffer(Q=90)
    return data


def cmyk_jpeg(width: int, height: int, *, with_profile: bool) -> bytes:
    """A CMYK JPEG as print workflows write them, with or without its ICC profile."""
    cmyk = scene(width, height).icc_transform("cmyk", input_profile="srgb")
    if not with_profile:
        cmyk = cmyk.copy()
        cmyk.remove("icc-profile-data")
    data: bytes = cmyk.jpegsave_buffer(Q=90, keep=pyvips.enums.ForeignKeep.ICC)
    return data


# --- Other containers ------------------------------------------------------------------


def png16(width: int, height: int) -> bytes:
    """A 16-bit-per-channel RGB PNG."""
    image = (scene(width, height).cast("ushort") * 257).cast("ushort").copy(interpretation="rgb16")
    data: bytes = image.pngsave_buffer(compression=1)
    return data


def grey_alpha_png(width: int, height: int) -> bytes:
    """A grey PNG with an alpha channel, clear in the top-left square and opaque elsewhere."""
    grey = scene(width, height).colourspace("b-w")
    side = min(width, height) // 8
    alpha = _flat(width, height, [255]).insert(_flat(side, side, [0]), 0, 0)
    data: bytes = grey.bandjoin(alpha).copy(interpretation="b-w").pngsave_buffer(compression=1)
    return data


def camera_webp(width: int, height: int, orientation: int) -> bytes:
    """A lossy WebP whose EXIF says how to turn it."""
    shown = (height, width) if orientation >= 5 else (width, height)
    data: bytes = stored_as(scene(*shown), orientation).webpsave_buffer(Q=80)
    return data


def camera_avif(width: int, height: int) -> bytes:
    data: bytes = scene(width, height).heifsave_buffer(compression="av1", Q=50, effort=0)
    return data


def iphone_heic(width: int, height: int, orientation: int, *, nclx: bool = False) -> bytes:
    """An HEIC as iPhones write them: HEVC, Display P3 with its ICC profile (or, with
    ``nclx``, named by an nclx colour box only, as other phones do), the turn in the
    file's ``irot``/``imir`` boxes and in its EXIF. Encoded by x265 through pillow-heif
    (libvips' wheel cannot encode HEVC)."""
    import pillow_heif

    p3 = libvips_profile("p3")
    # H.273: primaries 12 are Display P3's, transfer 13 the sRGB curve.
    color: dict[str, Any] = (
        {"color_primaries": 12, "transfer_characteristic": 13} if nclx else {"icc_profile": p3}
    )
    shown = (height, width) if orientation >= 5 else (width, height)
    upright = scene(*shown, probe=encoded_in(p3, PROBE))
    stored = _STORED_FOR_UPRIGHT[orientation](upright)
    picture = Image.frombytes("RGB", (stored.width, stored.height), stored.write_to_memory())
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    pillow_heif.register_heif_opener()
    # pillow-heif turns the EXIF orientation into irot/imir and keeps the tag, like a phone.
    picture.save(
        buffer,
        "HEIF",
        quality=60,
        exif=exif.tobytes(),
        enc_params={"preset": "ultrafast"},
        **color,
    )
    return buffer.getvalue()


# --- Camera metadata -------------------------------------------------------------------

# In the GPS block of camera_exif(), and so nowhere PhotoShare keeps or says anything.
GPS_MARKER = "GPS-MARKER-5f3a"
GPS_LATITUDE, GPS_LONGITUDE = "52.3713", "4.8839"  # as decimal degrees would be written


def camera_exif(orientation: int = 1, /, **overrides: Any) -> bytes:
    """An EXIF block as a camera writes it: make, model, lens, exposure, the time with its
    offset, and a GPS block (52°22'16.7"N 4°53'2"E, its map datum GPS_MARKER).
    ``overrides`` replace Exif-IFD tags by id (None removes one)."""
    from PIL.TiffImagePlugin import IFDRational

    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS R5"
    details = exif.get_ifd(0x8769)
    details.update(
        {
            0x9003: "2024:06:01 12:34:56",  # DateTimeOriginal
            0x9291: "25",  # SubSecTimeOriginal
            0x9011: "+02:00",  # OffsetTimeOriginal
            0xA434: "RF24-105mm F4 L IS USM",  # LensModel
            0x920A: IFDRational(50, 1),  # FocalLength
            0x829D: IFDRational(28, 10),  # FNumber
            0x829A: IFDRational(1, 250),  # ExposureTime
            0x8827: 400,  # ISOSpeedRatings
        }
    )
    for tag, value in overrides.items():
        if value is None:
            details.pop(int(tag, 0), None)
        else:
            details[int(tag, 0)] = value
    gps = exif.get_ifd(0x8825)
    gps.update(
        {
            1: "N",
            2: (IFDRational(52), IFDRational(22), IFDRational(167, 10)),
            3: "E",
            4: (IFDRational(4), IFDRational(53), IFDRational(2)),
            0x12: GPS_MARKER,  # GPSMapDatum
        }
    )
    return exif.tobytes()


def with_exif(image: pyvips.Image, exif: bytes) -> pyvips.Image:
    """``image`` carrying the EXIF block ``exif`` (as Pillow writes it) when saved."""
    tagged = image.copy()
    tagged.set_type(pyvips.GValue.blob_type, "exif-data", exif)
    return tagged


def camera_jpeg_with_exif(width: int, height: int, orientation: int, exif: bytes) -> bytes:
    """``camera_jpeg`` whose EXIF block is ``exif``."""
    shown = (height, width) if orientation >= 5 else (width, height)
    data: bytes = with_exif(stored_as(scene(*shown), orientation), exif).jpegsave_buffer(Q=90)
    return data


def heic_with_exif(width: int, height: int, exif: bytes) -> bytes:
    """An HEIC (HEVC by x265 through pillow-heif) whose EXIF block is ``exif``."""
    import pillow_heif

    upright = scene(width, height)
    picture = Image.frombytes("RGB", (width, height), upright.write_to_memory())
    buffer = io.BytesIO()
    pillow_heif.register_heif_opener()
    picture.save(buffer, "HEIF", quality=60, exif=exif, enc_params={"preset": "ultrafast"})
    return buffer.getvalue()


def avif_with_exif(width: int, height: int, exif: bytes) -> bytes:
    data: bytes = with_exif(scene(width, height), exif).heifsave_buffer(
        compression="av1", Q=50, effort=0
    )
    return data
