"""Photos straight from cameras and phones, at their real sizes, are stored upright.

The files are generated here (tests/media/samples.py): one upright scene with coloured
squares in three corners, written as each device would store it. Stored, every photo
must show the squares in the scene's corners and have the upright width and height.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import httpx
import pillow_heif
import pytest
from PIL import Image, ImageOps

from photoshare.config import Settings
from photoshare.media import decoding
from photoshare.photos.models import Photo
from tests.factories import PhotoFactory, UserFactory
from tests.media import samples
from tests.photos.test_photos import stored_files

BROKEN = "The image is broken or truncated and cannot be decoded"


@cache
def camera_jpeg(orientation: int) -> bytes:
    return samples.camera_jpeg(4032, 3024, orientation)


async def upload_and_fetch(
    client: httpx.AsyncClient, photos: PhotoFactory, users: UserFactory, content: bytes
) -> tuple[dict[str, object], Image.Image]:
    """Upload as a new user; the Photo and its stored image, decoded."""
    photo = await photos.upload(await users.create(), content, filename="IMG_0001")
    served = await client.get(urlsplit(str(photo["url"])).path)
    assert served.status_code == 200
    assert int(str(photo["bytes"])) == len(served.content)
    image = Image.open(io.BytesIO(served.content))
    assert image.size == (photo["width"], photo["height"])
    return photo, _decoded(image)


def _decoded(image: Image.Image) -> Image.Image:
    """The image decoded completely (a JPEG at 1/4 scale: the colours are all we look at)."""
    if image.format == "JPEG":
        image.draft(image.mode, (image.width // 4, image.height // 4))
    image.load()
    return image


def test_the_camera_files_are_what_they_claim() -> None:
    """Pillow's own EXIF turn (not ours) shows each file as the upright scene."""
    for orientation in range(1, 9):
        with Image.open(io.BytesIO(camera_jpeg(orientation))) as image:
            assert image.size == (4032, 3024)
            assert image.getexif()[0x0112] == orientation
            raw = _decoded(image)
            upright = ImageOps.exif_transpose(raw)
            assert upright.size == ((756, 1008) if orientation >= 5 else (1008, 756))
            assert samples.corner_colors(upright) == samples.UPRIGHT_CORNERS
            if orientation != 1:  # the file's own pixels are not upright
                assert samples.corner_colors(raw) != samples.UPRIGHT_CORNERS


@pytest.mark.parametrize("orientation", range(1, 9))
async def test_each_exif_orientation_is_stored_upright(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, orientation: int
) -> None:
    photo, image = await upload_and_fetch(client, photos, users, camera_jpeg(orientation))
    upright_size = (3024, 4032) if orientation >= 5 else (4032, 3024)
    assert (photo["width"], photo["height"], photo["format"]) == (*upright_size, "jpeg")
    assert samples.corner_colors(image) == samples.UPRIGHT_CORNERS
    assert 0x0112 not in image.getexif()  # nothing left to turn it a second time


# --- Every format phones and cameras write ---------------------------------------------


@dataclass(frozen=True)
class Device:
    """A file as some device writes it, and what must be stored of it."""

    name: str
    build: Callable[[], bytes]
    stored_format: str
    size: tuple[int, int]  # upright
    # When set, the centre must hold PROBE within this much: the colours were converted.
    probe_tolerance: int | None = None

    @property
    def content(self) -> bytes:
        return _built(self.build)


@cache
def _built(build: Callable[[], bytes]) -> bytes:
    return build()


@cache
def _adobe() -> bytes:
    return samples.adobe_rgb_profile()


@cache
def _p3() -> bytes:
    return samples.libvips_profile("p3")


DEVICES = [
    Device(
        "progressive JPEG, turned",
        lambda: samples.camera_jpeg(4000, 3000, 6, interlace=True),
        "jpeg",
        (3000, 4000),
    ),
    Device(
        "CMYK JPEG with its profile",
        lambda: samples.cmyk_jpeg(4000, 3000, with_profile=True),
        "jpeg",
        (4000, 3000),
        probe_tolerance=20,  # a round trip through a print profile
    ),
    Device(
        "CMYK JPEG without a profile",
        lambda: samples.cmyk_jpeg(4000, 3000, with_profile=False),
        "jpeg",
        (4000, 3000),
    ),
    Device(
        "Display P3 JPEG from a phone",
        lambda: samples.wide_gamut_jpeg(_p3(), 4032, 3024, 6),
        "jpeg",
        (3024, 4032),
        probe_tolerance=10,
    ),
    Device(
        "Adobe RGB JPEG from a 24 MP camera",
        lambda: samples.wide_gamut_jpeg(_adobe(), 6000, 4000, 8),
        "jpeg",
        (4000, 6000),
        probe_tolerance=10,
    ),
    Device("16-bit PNG", lambda: samples.png16(2400, 1600), "png", (2400, 1600)),
    Device("grey and alpha PNG", lambda: samples.grey_alpha_png(2400, 1600), "png", (2400, 1600)),
    Device("WebP, turned", lambda: samples.camera_webp(4032, 3024, 6), "webp", (3024, 4032)),
    Device("AVIF", lambda: samples.camera_avif(4032, 3024), "avif", (4032, 3024)),
    Device(
        "HEIC from an iPhone (P3, turned)",
        lambda: samples.iphone_heic(4032, 3024, 6),
        "jpeg",
        (3024, 4032),
        probe_tolerance=10,
    ),
    Device(
        "HEIC with an nclx P3 colour box",
        lambda: samples.iphone_heic(4032, 3024, 1, nclx=True),
        "jpeg",
        (4032, 3024),
        probe_tolerance=10,
    ),
]
BY_NAME = {device.name: device for device in DEVICES}


def test_the_device_files_are_what_they_claim() -> None:
    with Image.open(io.BytesIO(BY_NAME["progressive JPEG, turned"].content)) as image:
        assert image.info.get("progressive") == 1
    for name in ("CMYK JPEG with its profile", "CMYK JPEG without a profile"):
        with Image.open(io.BytesIO(BY_NAME[name].content)) as image:
            assert image.mode == "CMYK"
            assert ("icc_profile" in image.info) is name.endswith("its profile")
    # The hand-built Adobe RGB profile holds Adobe RGB: sRGB green is (144, 255, 60) there.
    assert all(
        abs(a - b) <= 2
        for a, b in zip(samples.encoded_in(_adobe(), (0, 255, 0)), (144, 255, 60), strict=True)
    )
    wide_gamut = {
        "Display P3 JPEG from a phone": _p3(),
        "Adobe RGB JPEG from a 24 MP camera": _adobe(),
    }
    for name, profile in wide_gamut.items():
        with Image.open(io.BytesIO(BY_NAME[name].content)) as image:
            assert image.info["icc_profile"] == profile
            # Shown without its profile, the centre would be off by far.
            raw = samples.center(ImageOps.exif_transpose(_decoded(image)))
            assert max(abs(a - b) for a, b in zip(raw, samples.PROBE, strict=True)) >= 25
    with Image.open(io.BytesIO(BY_NAME["16-bit PNG"].content)) as image:
        assert image.mode in ("RGB", "I;16", "I") and image.info.get("bits", 16) == 16
        assert BY_NAME["16-bit PNG"].content[24] == 16  # IHDR bit depth
    assert BY_NAME["grey and alpha PNG"].content[25] == 4  # IHDR colour type: grey + alpha
    assert BY_NAME["AVIF"].content[8:12] == b"avif"
    heic = BY_NAME["HEIC from an iPhone (P3, turned)"].content
    assert heic[8:12] == b"heic"
    assert b"irot" in heic
    iphone = pillow_heif.open_heif(io.BytesIO(heic))
    assert iphone.size == (3024, 4032)  # libheif applies irot
    assert iphone.info["icc_profile"] == _p3()
    exif = Image.Exif()
    exif.load(iphone.info["exif"])
    assert exif[0x0112] == 6  # and the EXIF says the same turn, as an iPhone's does
    nclx = pillow_heif.open_heif(io.BytesIO(BY_NAME["HEIC with an nclx P3 colour box"].content))
    assert "icc_profile" not in nclx.info
    assert nclx.info["nclx_profile"]["color_primaries"] == 12


@pytest.mark.parametrize("device", DEVICES, ids=lambda d: d.name)
async def test_every_device_format_is_stored_upright(
    client: httpx.AsyncClient,
    users: UserFactory,
    photos: PhotoFactory,
    settings: Settings,
    device: Device,
) -> None:
    photo, image = await upload_and_fetch(client, photos, users, device.content)
    assert (photo["width"], photo["height"]) == device.size
    assert photo["format"] == device.stored_format
    assert str(image.format).lower() == device.stored_format
    if device.name.startswith("grey"):
        assert image.mode == "LA"
        width, height = image.size
        assert image.getpixel((5, 5))[1] == 0  # type: ignore[index]
        assert image.getpixel((width - 5, height - 5))[1] == 255  # type: ignore[index]
    else:
        assert image.mode == "RGB"  # a CMYK file is converted, never stored as CMYK
        assert samples.corner_colors(image) == samples.UPRIGHT_CORNERS
    if device.probe_tolerance is not None:
        center = samples.center(image)
        off = max(abs(a - b) for a, b in zip(center, samples.PROBE, strict=True))
        assert off <= device.probe_tolerance, center
    await _sizes_are_upright_webp(client, photo, device)
    assert len(stored_files(settings)) == 3  # the photo, its thumb and its preview


async def _sizes_are_upright_webp(
    client: httpx.AsyncClient, photo: dict[str, object], device: Device
) -> None:
    """Each display size is a WebP of the upright photo, fitting its box."""
    sizes = photo["sizes"]
    assert isinstance(sizes, dict)
    for name, box in (("thumb", 480), ("preview", 1600)):
        size = sizes[name]
        width, height = device.size
        scale = box / max(width, height)
        assert (size["width"], size["height"]) == (round(width * scale), round(height * scale))
        served = await client.get(urlsplit(size["url"]).path)
        assert served.headers["content-type"] == "image/webp"
        image = Image.open(io.BytesIO(served.content))
        assert image.size == (size["width"], size["height"])
        if not device.name.startswith("grey"):
            assert samples.corner_colors(image) == samples.UPRIGHT_CORNERS
    assert photo["placeholder"]


# --- Broken files, and failures of ours ------------------------------------------------


async def test_a_truncated_phone_photo_is_broken(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, settings: Settings
) -> None:
    content = camera_jpeg(6)
    body = await photos.upload(
        await users.create(), content[: len(content) * 2 // 3], expect=422, filename="cut.jpg"
    )
    assert body["detail"] == BROKEN
    assert await Photo.count() == 0
    assert stored_files(settings) == []


async def test_a_truncated_heic_is_broken(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, settings: Settings
) -> None:
    content = BY_NAME["HEIC from an iPhone (P3, turned)"].content
    body = await photos.upload(
        await users.create(), content[: len(content) // 2], expect=422, filename="cut.heic"
    )
    assert "broken" in str(body["detail"])
    assert stored_files(settings) == []


async def test_a_failure_of_ours_is_not_blamed_on_the_file(
    client: httpx.AsyncClient,
    users: UserFactory,
    photos: PhotoFactory,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """As before the fix: a turned photo decoded sequentially fails inside libvips."""
    monkeypatch.setattr(decoding, "_SEQUENTIAL_ORIENTATIONS", set(range(1, 9)))
    with caplog.at_level(logging.ERROR, logger="photoshare.media.decoding"):
        body = await photos.upload(await users.create(), camera_jpeg(6), expect=422)
    detail = str(body["detail"])
    assert "broken" not in detail
    assert "could not process this image, although the file is valid" in detail
    assert "out of order read" in caplog.text
    assert "JPEG upload of 4032x3024 pixels" in caplog.text
    assert await Photo.count() == 0
    assert stored_files(settings) == []
