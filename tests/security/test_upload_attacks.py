"""Hostile uploads, built by the tests (no binary fixtures), as photos and as avatars.

Each file is either refused with a 4xx and a ``detail`` a person can act on, or stored
as a clean re-encode (no byte of the attacker's payload survives; served with its image
content type and ``nosniff``). Either way nothing is left behind: no Photo and no file
(temp files included) after a refusal, exactly one stored file per Photo or avatar after
a success.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image

from photoshare.config import Settings
from photoshare.photos.models import Photo
from tests.factories import Account, UserFactory
from tests.media import samples
from tests.photos.test_photos import stored_files

PAYLOAD = b"<html><script>alert(1)</script></html>"
# What must never reach a stored file (an HTML parser would act on any of these).
FORBIDDEN = (b"<script", b"<html", b"alert(1)")
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


# --- Building blocks -----------------------------------------------------------------


def _jpeg(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _segment(marker: int, payload: bytes) -> bytes:
    """A JPEG marker segment; its length field counts itself and caps the payload at 65533."""
    assert len(payload) <= 0xFFFF - 2
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _with_segments(jpeg: bytes, *segments: bytes) -> bytes:
    """Insert segments right after SOI and the JFIF APP0 header, where metadata lives."""
    assert jpeg[:4] == b"\xff\xd8\xff\xe0"
    app0_end = 4 + struct.unpack(">H", jpeg[4:6])[0]
    return jpeg[:app0_end] + b"".join(segments) + jpeg[app0_end:]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _blank_png(width: int, height: int, *, bit_depth: int = 8, color_type: int = 0) -> bytes:
    """A real, complete all-zero PNG: every row is in the (tiny, compressed) IDAT.

    Rows are compressed one at a time, so the decompressed size is never in memory.
    """
    channels = {0: 1, 2: 3, 6: 4}[color_type]
    row = b"\0" * (1 + (width * channels * bit_depth + 7) // 8)  # filter byte + pixels
    deflate = zlib.compressobj(6)
    idat = b"".join(deflate.compress(row) for _ in range(height)) + deflate.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


# --- The corpus ----------------------------------------------------------------------


def polyglot_html_appended() -> bytes:
    """A valid JPEG with an HTML page after its end-of-image marker."""
    return _jpeg() + PAYLOAD


def polyglot_html_in_comment() -> bytes:
    """A valid JPEG carrying an HTML page in a COM segment."""
    return _with_segments(_jpeg(), _segment(0xFE, PAYLOAD))


def huge_exif() -> bytes:
    """An APP1 EXIF segment of 65,533 bytes (the most a segment holds): one ASCII tag
    (ImageDescription) whose value is the HTML payload padded to fill the segment."""
    ifd_at, value_at = 8, 8 + 2 + 12 + 4
    size = 0xFFFF - 2 - len(b"Exif\0\0") - value_at
    value = (PAYLOAD + b"A" * size)[: size - 1] + b"\0"
    tiff = (
        b"II*\0"
        + struct.pack("<I", ifd_at)
        + struct.pack("<H", 1)
        + struct.pack("<HHII", 0x010E, 2, len(value), value_at)
        + struct.pack("<I", 0)
        + value
    )
    return _with_segments(_jpeg(), _segment(0xE1, b"Exif\0\0" + tiff))


def _icc_segments(profile: bytes, claimed_chunks: int | None = None) -> list[bytes]:
    chunk = 0xFFFF - 2 - len(b"ICC_PROFILE\0") - 2
    pieces = [profile[i : i + chunk] for i in range(0, len(profile), chunk)]
    total = claimed_chunks or len(pieces)
    return [
        _segment(0xE2, b"ICC_PROFILE\0" + bytes([number, total]) + piece)
        for number, piece in enumerate(pieces, start=1)
    ]


def _bogus_icc_header(claimed_size: int) -> bytes:
    """128 bytes shaped like an ICC header (size, 'acsp' signature), then nothing valid."""
    header = bytearray(128)
    header[0:4] = struct.pack(">I", claimed_size)
    header[12:16] = b"mntr"
    header[16:20] = b"RGB "
    header[20:24] = b"XYZ "
    header[36:40] = b"acsp"
    return bytes(header)


def oversized_icc() -> bytes:
    """About 1 MB of 'ICC profile' over 16 APP2 segments: a header claiming 2 GB, then the
    HTML payload and junk."""
    body = _bogus_icc_header(0x7FFF_FFFF) + PAYLOAD
    profile = body + bytes(range(256)) * ((1_000_000 - len(body)) // 256)
    return _with_segments(_jpeg(), *_icc_segments(profile))


def icc_missing_chunks() -> bytes:
    """ICC segments that claim 200 chunks of which only 2 are present."""
    profile = _bogus_icc_header(200 * 65_000) + PAYLOAD + b"\x42" * 100_000
    return _with_segments(_jpeg(), *_icc_segments(profile, claimed_chunks=200))


def icc_valid_carrying_html() -> bytes:
    """A valid sRGB ICC profile with the HTML payload as the data of a private tag."""
    return samples.jpeg_with_icc(samples.srgb_profile_carrying(PAYLOAD))


def gif_10000_frames() -> bytes:
    """A GIF89a of 10,000 frames (a 100x100 canvas, each frame one pixel): ~230 KB."""
    width = height = 100
    header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0)  # 2-colour table
    palette = b"\x00\x00\x00\xff\xff\xff"
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    control = b"\x21\xf9\x04\x00\x00\x00\x00\x00"  # no delay, no transparency
    # A 1x1 frame at (0, 0); LZW minimum code size 2, codes: clear, 0, end.
    frame = control + b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return header + palette + loop + frame * 10_000 + b"\x3b"


def png_bomb_20000() -> bytes:
    """20000x20000 (400 megapixels, 50 MB of 1-bit pixels) in a ~50 KB file."""
    return _blank_png(20_000, 20_000, bit_depth=1)


def png_16k() -> bytes:
    """16384x16384 (268 megapixels) of one colour: a complete PNG of ~260 KB."""
    return _blank_png(16_384, 16_384)


def png_under_pixel_limit() -> bytes:
    """3000x1300 (3.9 megapixels, under a 4 MP limit) of 16-bit RGBA: 31 MB once decoded."""
    return _blank_png(3000, 1300, bit_depth=16, color_type=6)


def png_over_pixel_limit() -> bytes:
    """3000x1400 (4.2 megapixels, over a 4 MP limit)."""
    return _blank_png(3000, 1400, bit_depth=16, color_type=6)


def png_first_byte_changed() -> bytes:
    png = _blank_png(40, 30)
    return b"\x88" + png[1:]


def jpeg_named_png() -> bytes:
    return _jpeg()


def gif_magic_then_garbage() -> bytes:
    return b"GIF89a" + bytes(range(256)) * 8


def zero_bytes() -> bytes:
    return b""


def one_pixel() -> bytes:
    return _blank_png(1, 1, color_type=2)


@dataclass(frozen=True)
class Attack:
    build: Callable[[], bytes]
    filename: str
    status: int
    detail: str = ""  # part of the refusal's message
    stored_format: str = ""  # when accepted
    max_pixels: int | None = None  # a setting other than the default

    @property
    def name(self) -> str:
        return self.build.__name__

    @property
    def content(self) -> bytes:
        return _built(self.build)


@cache
def _built(build: Callable[[], bytes]) -> bytes:
    return build()


# The default limit: every file of the corpus gets past it, to the image checks.
MAX_UPLOAD_BYTES: int = Settings.model_fields["max_upload_bytes"].default

ATTACKS = [
    Attack(polyglot_html_appended, "photo.jpg", 201, stored_format="jpeg"),
    Attack(polyglot_html_in_comment, "page.html", 201, stored_format="jpeg"),
    Attack(huge_exif, "exif.jpg", 201, stored_format="jpeg"),
    Attack(oversized_icc, "icc.jpg", 201, stored_format="jpeg"),
    Attack(icc_missing_chunks, "icc.jpg", 201, stored_format="jpeg"),
    Attack(icc_valid_carrying_html, "icc.jpg", 201, stored_format="jpeg"),
    Attack(gif_10000_frames, "frames.gif", 201, stored_format="png"),
    Attack(png_bomb_20000, "bomb.png", 422, "20000x20000"),
    Attack(png_16k, "big.png", 422, "16384x16384 pixels; at most 50 megapixels"),
    Attack(png_under_pixel_limit, "wide.png", 201, stored_format="png", max_pixels=4_000_000),
    Attack(png_over_pixel_limit, "wide.png", 422, "at most 4 megapixels", max_pixels=4_000_000),
    Attack(png_first_byte_changed, "photo.png", 415, "Not an accepted image"),
    Attack(jpeg_named_png, "photo.png", 201, stored_format="jpeg"),
    Attack(gif_magic_then_garbage, "anim.gif", 422, "broken"),
    Attack(zero_bytes, "empty.jpg", 422, "empty"),
    Attack(one_pixel, "dot.png", 201, stored_format="png"),
]


# --- The tests -----------------------------------------------------------------------


@pytest.fixture
def settings(make_settings: Callable[..., Settings], attack: Attack) -> Settings:
    """The suite's settings, with the attack's pixel limit where it sets one."""
    overrides: dict[str, Any] = {}
    if attack.max_pixels is not None:
        overrides["max_pixels"] = attack.max_pixels
    return make_settings(**overrides)


def _png_size(png: bytes) -> tuple[int, int]:
    """The canvas a PNG's header claims, read without Pillow (which refuses bombs)."""
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_the_corpus_is_what_it_claims() -> None:
    """The files are what their names say, and each fits the upload limit."""
    for attack in ATTACKS:
        assert len(attack.content) <= MAX_UPLOAD_BYTES, attack.name
    built = {attack.name: attack.content for attack in ATTACKS}
    assert Image.open(io.BytesIO(built["polyglot_html_appended"])).size == (64, 48)
    assert built["polyglot_html_appended"].endswith(PAYLOAD)
    assert PAYLOAD in built["polyglot_html_in_comment"]
    assert Image.open(io.BytesIO(built["polyglot_html_in_comment"])).size == (64, 48)
    exif = built["huge_exif"]
    app1 = exif.index(b"\xff\xe1")
    assert struct.unpack(">H", exif[app1 + 2 : app1 + 4])[0] == 0xFFFF
    assert Image.open(io.BytesIO(exif)).getexif()[0x010E].startswith("<html>")
    assert built["oversized_icc"].count(b"ICC_PROFILE\0") == 16
    assert len(built["oversized_icc"]) > 1_000_000
    assert built["icc_missing_chunks"].count(b"ICC_PROFILE\0") == 2
    assert PAYLOAD in built["icc_valid_carrying_html"]
    with Image.open(io.BytesIO(built["gif_10000_frames"])) as gif:
        assert getattr(gif, "n_frames", 1) == 10_000
    assert _png_size(built["png_bomb_20000"]) == (20_000, 20_000)
    assert len(built["png_bomb_20000"]) < 100_000
    assert _png_size(built["png_16k"]) == (16_384, 16_384)
    assert len(built["png_16k"]) < 400_000
    with Image.open(io.BytesIO(built["png_under_pixel_limit"])) as png:
        assert png.size == (3000, 1300) and png.mode == "RGBA"
    assert _png_size(built["png_over_pixel_limit"]) == (3000, 1400)
    assert Image.open(io.BytesIO(built["one_pixel"])).size == (1, 1)


async def _upload(
    client: httpx.AsyncClient, account: Account, attack: Attack, *, avatar: bool
) -> httpx.Response:
    # The client's Content-Type claims an image whatever the file is.
    files = {"file": (attack.filename, attack.content, "image/jpeg")}
    if avatar:
        return await client.put("/api/v1/users/me/avatar", files=files, headers=account.headers)
    return await client.post("/api/v1/photos", files=files, headers=account.headers)


async def _assert_served_clean(
    client: httpx.AsyncClient, url: str, stored_format: str
) -> tuple[bytes, tuple[int, int]]:
    served = await client.get(urlsplit(url).path)
    assert served.status_code == 200
    assert served.headers["content-type"] == CONTENT_TYPES[stored_format]
    assert served.headers["x-content-type-options"] == "nosniff"
    for forbidden in FORBIDDEN:
        assert forbidden not in served.content, forbidden
    with Image.open(io.BytesIO(served.content)) as image:
        assert str(image.format).lower() == stored_format
        image.load()  # it decodes completely
        return served.content, image.size


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
async def test_hostile_upload_is_refused_or_stored_clean(
    client: httpx.AsyncClient, users: UserFactory, settings: Settings, attack: Attack
) -> None:
    account = await users.create()

    photo = await _upload(client, account, attack, avatar=False)
    assert photo.status_code == attack.status, photo.text
    if attack.status >= 400:
        assert attack.detail in photo.json()["detail"]
        assert await Photo.count() == 0
        assert stored_files(settings) == []
    else:
        body = photo.json()
        assert body["format"] == attack.stored_format
        content, size = await _assert_served_clean(client, body["url"], attack.stored_format)
        assert body["bytes"] == len(content)
        assert (body["width"], body["height"]) == size
        assert await Photo.count() == 1
        # The photo and its two display sizes, each as clean as the photo.
        for size in body["sizes"].values():
            await _assert_served_clean(client, size["url"], "webp")
        assert len(stored_files(settings)) == 3

    avatar = await _upload(client, account, attack, avatar=True)
    me = (await client.get("/api/v1/users/me", headers=account.headers)).json()
    if attack.status >= 400:
        assert avatar.status_code == attack.status, avatar.text
        assert attack.detail in avatar.json()["detail"]
        assert me["avatar_url"] is None
        assert stored_files(settings) == []
    else:
        assert avatar.status_code == 200, avatar.text
        assert me["avatar_url"] == avatar.json()["avatar_url"]
        _, (width, height) = await _assert_served_clean(
            client, me["avatar_url"], attack.stored_format
        )
        assert width == height <= settings.avatar_size
        # Three files for the Photo (it and its sizes), one for the avatar; no temp file.
        assert len(stored_files(settings)) == 4
        assert not any(path.parent.name == "tmp" for path in stored_files(settings))
