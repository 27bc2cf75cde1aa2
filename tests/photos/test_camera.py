"""Camera metadata over HTTP: when and with what a photo was taken, never where."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import pytest
from beanie import PydanticObjectId
from PIL import Image

from photoshare.config import Settings
from photoshare.db import collection
from photoshare.media.vips import pyvips
from photoshare.photos.models import Photo
from tests.factories import PhotoFactory, UserFactory
from tests.media import samples
from tests.photos.test_photos import stored_files
from tests.servers import running_app

CANON = {
    "make": "Canon",
    "model": "Canon EOS R5",
    "lens": "RF24-105mm F4 L IS USM",
    "focal_length_mm": 50.0,
    "f_number": 2.8,
    "exposure_time": "1/250",
    "iso": 400,
}
TAKEN = "2024-06-01T12:34:56.250000+02:00"


@pytest.fixture(scope="module")
def phone_photo() -> bytes:
    """A 4032x3024 camera JPEG turned by EXIF orientation 6, with camera tags and GPS."""
    return samples.camera_jpeg_with_exif(4032, 3024, 6, samples.camera_exif(6))


def _without_location(text: str) -> None:
    assert samples.GPS_MARKER not in text
    assert samples.GPS_LATITUDE not in text and samples.GPS_LONGITUDE not in text
    assert "gps" not in text.lower() and "latitude" not in text.lower()


async def test_a_camera_photo_tells_when_and_with_what_never_where(
    client: httpx.AsyncClient,
    users: UserFactory,
    photos: PhotoFactory,
    settings: Settings,
    phone_photo: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    owner = await users.create()
    with caplog.at_level(logging.DEBUG):
        photo = await photos.upload(owner, phone_photo, description="Canal")
        got = await client.get(f"/api/v1/photos/{photo['id']}", headers=owner.headers)
        listed = await client.get("/api/v1/photos", params={"sort": "taken_newest"})
    assert (photo["width"], photo["height"]) == (3024, 4032)
    assert photo["taken_at"] == TAKEN
    assert photo["camera"] == CANON
    assert got.json() == photo
    assert listed.json()["items"][0]["camera"] == CANON
    for text in (json.dumps(photo), got.text, listed.text, caplog.text):
        _without_location(text)
    _without_location(" ".join(str(record.args) for record in caplog.records))

    document = await collection(Photo).find_one({"_id": PydanticObjectId(str(photo["id"]))})
    assert document is not None
    _without_location(repr(document))
    files = stored_files(settings)
    assert files
    for path in files:
        content = path.read_bytes()
        assert samples.GPS_MARKER.encode() not in content and b"Canon" not in content
    served = await client.get(urlsplit(str(photo["url"])).path)
    assert served.status_code == 200
    assert not Image.open(io.BytesIO(served.content)).getexif()
    assert not pyvips.Image.new_from_buffer(served.content, "").get_typeof("exif-data")


async def test_a_photo_without_exif_knows_nothing(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    photo = await photos.upload(await users.create(), samples.jpeg())
    assert photo["taken_at"] is None
    assert photo["camera"] is None


async def test_a_time_without_offset_is_shown_as_the_camera_wrote_it(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    exif = samples.camera_exif(**{"0x9011": None, "0x9291": None})
    photo = await photos.upload(
        await users.create(), samples.camera_jpeg_with_exif(64, 48, 1, exif)
    )
    assert photo["taken_at"] == "2024-06-01T12:34:56"
    stored = await client.get(f"/api/v1/photos/{photo['id']}")
    assert stored.json()["taken_at"] == "2024-06-01T12:34:56"


async def test_garbage_exif_values_are_nulls(users: UserFactory, photos: PhotoFactory) -> None:
    from PIL.TiffImagePlugin import IFDRational

    exif = samples.camera_exif(
        **{
            "0x9003": "2024:99:99 25:61:61",
            "0x829D": IFDRational(0, 0),
            "0x829A": "fast",
            "0x8827": "many",
            "0xA434": "\x00\x01",
            "0x920A": IFDRational(-50, 1),
        }
    )
    photo = await photos.upload(
        await users.create(), samples.camera_jpeg_with_exif(64, 48, 1, exif)
    )
    assert photo["taken_at"] is None
    assert photo["camera"] == {
        "make": "Canon",
        "model": "Canon EOS R5",
        "lens": None,
        "focal_length_mm": None,
        "f_number": None,
        "exposure_time": None,
        "iso": None,
    }


@pytest.mark.parametrize(
    ("when", "offset"), [("0001:01:01 00:00:00", "+14:00"), ("9999:12:31 23:59:59", "-12:00")]
)
async def test_a_time_at_the_ends_of_the_calendar_is_null(
    users: UserFactory, photos: PhotoFactory, when: str, offset: str
) -> None:
    exif = samples.camera_exif(**{"0x9003": when, "0x9011": offset})
    photo = await photos.upload(
        await users.create(), samples.camera_jpeg_with_exif(64, 48, 1, exif)
    )
    assert photo["taken_at"] is None
    assert photo["camera"] == CANON


async def test_a_broken_exif_block_is_no_error(users: UserFactory, photos: PhotoFactory) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 20, 30)).save(
        buffer, "JPEG", exif=b"Exif\0\0MM\0*\0\0\0\x08\xff\xff" + b"\x07" * 40
    )
    photo = await photos.upload(await users.create(), buffer.getvalue())
    assert (photo["taken_at"], photo["camera"]) == (None, None)


@pytest.mark.parametrize("build", [samples.heic_with_exif, samples.avif_with_exif])
async def test_heic_and_avif_tell_their_camera(
    users: UserFactory, photos: PhotoFactory, build: Callable[[int, int, bytes], bytes]
) -> None:
    photo = await photos.upload(await users.create(), build(640, 480, samples.camera_exif()))
    assert (photo["width"], photo["height"]) == (640, 480)
    assert photo["taken_at"] == TAKEN
    assert photo["camera"] == CANON
    _without_location(json.dumps(photo))


async def test_the_time_and_camera_survive_a_restart(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    naive = samples.camera_exif(**{"0x9011": None, "0x9291": None})
    async with running_app(settings) as client:
        owner = await UserFactory(client).create()
        uploads = PhotoFactory(client)
        with_offset = await uploads.upload(
            owner, samples.camera_jpeg_with_exif(64, 48, 1, samples.camera_exif())
        )
        clock = await uploads.upload(owner, samples.camera_jpeg_with_exif(64, 48, 1, naive))
    async with running_app(settings) as client:
        for photo, taken in ((with_offset, TAKEN), (clock, "2024-06-01T12:34:56")):
            again = (await client.get(f"/api/v1/photos/{photo['id']}")).json()
            assert (again["taken_at"], again["camera"]) == (taken, CANON)
