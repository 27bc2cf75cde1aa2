"""Opening an upload for decoding, and telling a broken file from a failure of ours.

The format is decided by the file's first bytes and the file goes to the one loader
that format names (so no polyglot reaches another loader). The pixel count is read
from the header before anything is decoded. Decoding is sequential (a strip at a time)
unless the EXIF orientation needs the rows in another order: then the loader is asked
for random access, which holds the decoded image (a few bytes per pixel, bounded by the
pixel limit) while it is turned.

libvips as shipped in the pyvips wheel has no HEVC decoder (patents), so HEIC is decoded
by libheif through pi-heif; libheif applies the file's rotation (``irot``/``imir``) itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

import pi_heif

from photoshare.errors import (
    ImageNotProcessed,
    InvalidInput,
    PhotoShareError,
    UnsupportedMediaType,
)
from photoshare.media.vips import pyvips

log = logging.getLogger(__name__)

ACCEPTED_FORMATS = "JPEG, PNG, WebP, GIF, HEIC or AVIF"
BROKEN = "The image is broken or truncated and cannot be decoded"

_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}

# The libvips loader of each sniffed format.
_LOADERS = {
    "jpeg": "jpegload",
    "png": "pngload",
    "gif": "gifload",
    "webp": "webpload",
    "heic": "heifload",
    "avif": "heifload",
}

# EXIF orientations whose upright image comes out row by row in file order: none, and a
# left-right mirror. The others (180°, 90° turns, top-bottom mirrors) need random access.
_SEQUENTIAL_ORIENTATIONS = {1, 2}

# pi-heif's 8-bit modes and their bands.
_HEIF_BANDS = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}
# nclx colour primaries (ITU-T H.273) that name a libvips built-in profile: Display P3.
_NCLX_PROFILES = {12: "p3"}


def sniff(head: bytes) -> str | None:
    """Name the container format from a file's first bytes, or None when not accepted."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        compatible = {head[i : i + 4] for i in range(16, min(len(head), 64) - 3, 4)}
        if brand in _AVIF_BRANDS or (brand == b"mif1" and compatible & _AVIF_BRANDS):
            return "avif"
        if brand in _HEIC_BRANDS or compatible & _HEIC_BRANDS:
            return "heic"
    return None


@dataclass(frozen=True)
class Upload:
    """An accepted upload: its file, its sniffed format and its size from the header."""

    path: Path
    kind: str
    width: int
    height: int
    # HEIC's EXIF block, for media.metadata (libvips' loaders attach theirs to the image;
    # attached to a HEIC image, libvips would read its orientation and turn it twice).
    exif: bytes | None = None


def _load(upload: Upload, access: str) -> pyvips.Image:
    loader = getattr(pyvips.Image, _LOADERS[upload.kind])
    return loader(str(upload.path), access=access, fail_on="truncated")


def _header(source: Path, max_pixels: int) -> tuple[Upload, pyvips.Image]:
    with source.open("rb") as handle:
        head = handle.read(64)
    if not head:
        raise InvalidInput("The file is empty")
    kind = sniff(head)
    if kind is None:
        raise UnsupportedMediaType(f"Not an accepted image; upload {ACCEPTED_FORMATS}")
    try:
        # Lazy: this reads the header only, so the pixel count is known before decoding.
        header = _load(Upload(source, kind, 0, 0), "sequential")
    except pyvips.Error as exc:
        if "not found" in str(exc):  # this libvips has no such loader
            raise UnsupportedMediaType(f"{kind.upper()} is not supported on this server") from exc
        raise InvalidInput(f"The {kind.upper()} file is broken and cannot be read") from exc
    if header.width * header.height > max_pixels:
        raise InvalidInput(
            f"The image is {header.width}x{header.height} pixels; at most "
            f"{max_pixels // 1_000_000} megapixels are accepted"
        )
    return Upload(source, kind, header.width, header.height), header


def orientation(image: pyvips.Image) -> int:
    """The EXIF orientation (1 = upright) the loader found."""
    if not image.get_typeof("orientation"):
        return 1
    value = image.get("orientation")
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def open_upload(source: Path, max_pixels: int) -> tuple[Upload, pyvips.Image]:
    """Check an uploaded file and open it for decoding.

    Raises 415 for anything that is not an accepted image and 422 for a broken or too
    large one; nothing is decoded before the pixel count is known to be within bounds.
    """
    upload, header = _header(source, max_pixels)
    if upload.kind == "heic":
        image, exif = _decode_heif(upload)
        return replace(upload, exif=exif), image
    if orientation(header) in _SEQUENTIAL_ORIENTATIONS:
        return upload, header
    try:
        return upload, _load(upload, "random")
    except pyvips.Error as exc:
        raise explain_failure(upload, exc) from exc


def _heif_error(upload: Upload, exc: Exception) -> Exception:
    if isinstance(exc, (ValueError, EOFError)):  # pi-heif: invalid input, corrupt data
        return InvalidInput(BROKEN)
    if isinstance(exc, SyntaxError):  # pi-heif: a feature libheif does not support
        return UnsupportedMediaType("This HEIC file uses a feature this server cannot decode")
    return _ours(upload, exc)


def _decode_heif(upload: Upload) -> tuple[pyvips.Image, bytes | None]:
    """Decode the primary image with libheif, as 8-bit pixels in a libvips image, and
    return it with the file's EXIF block."""
    try:
        heif = pi_heif.open_heif(str(upload.path), convert_hdr_to_8bit=True)
        bands = _HEIF_BANDS.get(heif.mode)
        if bands is None:
            raise SyntaxError(f"pixel mode {heif.mode}")
        width, height = heif.size
        if width * height > upload.width * upload.height:  # more than the header said
            raise ValueError(f"{width}x{height} pixels, not {upload.width}x{upload.height}")
        stride, data = heif.stride, heif.data
        exif = heif.info.get("exif")
    except Exception as exc:
        raise _heif_error(upload, exc) from exc
    # Rows may be padded: view the buffer as bytes, cut each row to its pixels, and fold
    # every ``bands`` bytes into a pixel. The buffer belongs to ``heif`` (the memoryview
    # does not keep it alive), so the pixels are copied into libvips' memory while it lives.
    image = (
        pyvips.Image.new_from_memory(data, stride, height, 1, "uchar")
        .crop(0, 0, width * bands, height)
        .bandfold(factor=bands)
        .copy_memory()
        .copy(interpretation="srgb" if bands > 2 else "b-w")
    )
    profile = heif.info.get("icc_profile")
    nclx = heif.info.get("nclx_profile") or {}
    if profile:
        image.set_type(pyvips.GValue.blob_type, "icc-profile-data", bytes(profile))
    elif nclx.get("color_primaries") in _NCLX_PROFILES:
        image = image.icc_transform(
            "srgb", input_profile=_NCLX_PROFILES[nclx["color_primaries"]], intent="perceptual"
        )
    return image, bytes(exif) if exif else None


def _decode_to_the_end(upload: Upload) -> None:
    """Decode the whole file with nothing else asked of the decoder."""
    if upload.kind == "heic":
        _decode_heif(upload)
    else:
        _load(upload, "sequential").avg()


def _unsupported(exc: Exception) -> bool:
    text = str(exc)
    return "not been built in" in text or "Unsupported" in text


def _ours(upload: Upload, exc: Exception) -> ImageNotProcessed:
    log.error(
        "could not process a valid %s upload of %dx%d pixels: %s",
        upload.kind.upper(),
        upload.width,
        upload.height,
        " ".join(str(exc).split()),
    )
    return ImageNotProcessed()


def explain_failure(upload: Upload, exc: Exception) -> Exception:
    """The error to answer for a failed decode: the file's fault only if it is broken.

    The file is decoded again, to its end, with nothing else asked of the decoder (no
    rotation, no colour conversion, no random access): if that fails too, the file is
    broken (or uses a compression this server cannot decode); if it succeeds, the
    failure was ours and is logged with its reason.
    """
    try:
        _decode_to_the_end(upload)
    except PhotoShareError as plain:  # from libheif, already classified
        return plain
    except pyvips.Error as plain:
        if _unsupported(plain):
            return UnsupportedMediaType(
                f"This {upload.kind.upper()} file uses a compression this server cannot decode"
            )
        return InvalidInput(BROKEN)
    return _ours(upload, exc)
