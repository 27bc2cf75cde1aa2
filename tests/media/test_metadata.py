"""Camera facts from EXIF: what a camera wrote, garbage as nulls, and never where."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL.TiffImagePlugin import IFDRational

from photoshare.media.metadata import Camera, CameraFacts, camera_facts
from photoshare.media.vips import pyvips
from tests.media import samples

CANON_CAMERA = Camera(
    make="Canon",
    model="Canon EOS R5",
    lens="RF24-105mm F4 L IS USM",
    focal_length_mm=50.0,
    f_number=2.8,
    exposure_time="1/250",
    iso=400,
)
CANON = CameraFacts(
    taken_at=datetime(2024, 6, 1, 12, 34, 56, 250_000, tzinfo=timezone(timedelta(hours=2))),
    camera=CANON_CAMERA,
)


def tagged(exif: bytes) -> pyvips.Image:
    """A small image as a loader hands it over, its EXIF block attached."""
    return samples.with_exif(samples.scene(64, 48), exif)


def facts_of(**overrides: Any) -> CameraFacts:
    """The facts of the camera's EXIF block with some Exif-IFD tags replaced."""
    return camera_facts(tagged(samples.camera_exif(**overrides)))


def test_a_camera_block_gives_every_fact() -> None:
    assert camera_facts(tagged(samples.camera_exif(6))) == CANON
    # As libvips' JPEG loader parses the file itself.
    jpeg = samples.camera_jpeg_with_exif(64, 48, 6, samples.camera_exif(6))
    assert camera_facts(pyvips.Image.new_from_buffer(jpeg, "")) == CANON


def test_no_block_knows_nothing() -> None:
    assert camera_facts(samples.scene(64, 48)) == CameraFacts(taken_at=None, camera=None)


def test_a_time_without_offset_is_the_cameras_clock() -> None:
    facts = facts_of(**{"0x9011": None, "0x9291": None})
    assert facts.taken_at == datetime(2024, 6, 1, 12, 34, 56)
    assert facts.taken_at.tzinfo is None


@pytest.mark.parametrize(
    ("offset", "shift"),
    [("-05:30", timedelta(hours=-5, minutes=-30)), ("+00:00", timedelta(0))],
)
def test_the_offset_is_kept(offset: str, shift: timedelta) -> None:
    taken = facts_of(**{"0x9011": offset}).taken_at
    assert taken is not None and taken.utcoffset() == shift


@pytest.mark.parametrize(
    ("exposure", "written"),
    [
        (IFDRational(1, 250), "1/250"),
        (IFDRational(10, 2500), "1/250"),
        (IFDRational(4, 5), "0.8"),
        (IFDRational(2, 1), "2"),
        (IFDRational(5, 2), "2.5"),
    ],
)
def test_exposure_times_read_as_photographers_write_them(
    exposure: IFDRational, written: str
) -> None:
    camera = facts_of(**{"0x829A": exposure}).camera
    assert camera is not None and camera.exposure_time == written


@pytest.mark.parametrize(
    ("tag", "value", "field"),
    [
        ("0x9003", "2024:13:45 99:00:00", "taken_at"),
        ("0x9003", "0000:00:00 00:00:00", "taken_at"),
        ("0x9003", "yesterday", "taken_at"),
        ("0x9003", "0001:01:01 00:00:00", "taken_at"),
        ("0x9003", "9999:12:31 23:59:59", "taken_at"),
        ("0x829D", IFDRational(0, 0), "f_number"),
        ("0x829D", IFDRational(-28, 10), "f_number"),
        ("0x829A", "fast", "exposure_time"),
        ("0x829A", IFDRational(0, 1), "exposure_time"),
        ("0x920A", "fifty", "focal_length_mm"),
        ("0x8827", "many", "iso"),
        ("0xA434", "\x00\x01\x02", "lens"),
        ("0xA434", "   ", "lens"),
    ],
)
def test_garbage_in_a_field_is_null(tag: str, value: object, field: str) -> None:
    facts = facts_of(**{tag: value})
    if field == "taken_at":
        assert facts.taken_at is None
        assert facts.camera == CANON_CAMERA  # the rest is still read
    else:
        assert facts.camera == CANON_CAMERA.model_copy(update={field: None})
        assert facts.taken_at == CANON.taken_at


def test_a_garbage_offset_leaves_the_clock_time() -> None:
    assert facts_of(**{"0x9011": "+99:99"}).taken_at == datetime(2024, 6, 1, 12, 34, 56, 250_000)


def test_text_loses_control_characters_and_is_bounded() -> None:
    def lens(written: str) -> str | None:
        camera = facts_of(**{"0xA434": written}).camera
        return camera.lens if camera else None

    assert lens("RF\x1b[31m 50mm\n") == "RF [31m 50mm"
    assert len(lens("L" * 5000) or "") == 100


@settings(max_examples=120, deadline=None)
@given(st.binary(max_size=2000))
def test_any_block_of_bytes_gives_facts_never_an_error(blob: bytes) -> None:
    image = samples.scene(8, 8).copy()
    image.set_type(pyvips.GValue.blob_type, "exif-data", blob or b"\0")
    assert isinstance(camera_facts(image), CameraFacts)


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_a_damaged_camera_block_gives_facts_never_an_error(data: st.DataObject) -> None:
    block = bytearray(samples.camera_exif())
    for _ in range(data.draw(st.integers(1, 20))):
        block[data.draw(st.integers(0, len(block) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(8, len(block)))
    assert isinstance(camera_facts(tagged(bytes(block[:cut]))), CameraFacts)


def test_nothing_of_the_gps_block_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    image = tagged(samples.camera_exif())  # (Pillow logs what it writes)
    with caplog.at_level(logging.DEBUG):
        assert camera_facts(image) == CANON
    said = caplog.text + " ".join(str(record.args) for record in caplog.records)
    assert samples.GPS_MARKER not in said
    assert "GPS" not in said and "16.7" not in said
