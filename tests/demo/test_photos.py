"""The demo's photos: camera-sized scenes with a camera's EXIF and no location."""

from __future__ import annotations

import io

import pytest
import pyvips
from PIL import ExifTags, Image

from photoshare.demo.photos import DEMO_PHOTOS, DemoPhoto, demo_jpeg

# One landscape with water and a sign, one portrait city street with buildings.
LANDSCAPE = DEMO_PHOTOS[0]
PORTRAIT = next(photo for photo in DEMO_PHOTOS if photo.portrait and photo.scene.buildings)


@pytest.fixture(scope="module")
def jpegs() -> dict[str, bytes]:
    return {photo.description: demo_jpeg(photo, 1) for photo in (LANDSCAPE, PORTRAIT)}


@pytest.mark.parametrize("photo", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_a_demo_photo_is_a_camera_jpeg_with_exif_and_no_location(
    jpegs: dict[str, bytes], photo: DemoPhoto
) -> None:
    data = jpegs[photo.description]
    image = Image.open(io.BytesIO(data))
    width, height = photo.camera.size
    assert image.format == "JPEG"
    assert image.size == ((height, width) if photo.portrait else (width, height))
    assert image.width * image.height >= 12_000_000
    assert len(data) > 1_000_000  # a camera's JPEG, not a flat toy

    exif = image.getexif()
    taken = exif.get_ifd(ExifTags.IFD.Exif)
    assert exif[ExifTags.Base.Make] == photo.camera.make
    assert exif[ExifTags.Base.Model] == photo.camera.model
    assert taken[ExifTags.Base.DateTimeOriginal] == photo.taken.strftime("%Y:%m:%d %H:%M:%S")
    assert taken[ExifTags.Base.OffsetTimeOriginal] == photo.taken.isoformat()[-6:]
    assert taken[ExifTags.Base.LensModel] == photo.camera.lens
    assert float(taken[ExifTags.Base.FNumber]) == photo.camera.f_number
    assert float(taken[ExifTags.Base.FocalLength]) == photo.camera.focal_length_mm
    assert 0 < float(taken[ExifTags.Base.ExposureTime]) < 1
    assert taken[ExifTags.Base.ISOSpeedRatings] in (100, 800)
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert ExifTags.Base.GPSInfo not in exif


@pytest.mark.parametrize("photo", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_a_demo_photo_has_a_scene_in_it(jpegs: dict[str, bytes], photo: DemoPhoto) -> None:
    image = pyvips.Image.new_from_buffer(jpegs[photo.description], "").thumbnail_image(600)
    # Light and shade: a sky, darker ground, a bright sun or lit windows.
    assert image.max() - image.min() > 150
    assert image.deviate() > 25
    # Edges (ridges, buildings, a sign): a gradient with grain has next to none.
    grey = image.colourspace("b-w")
    edges = (grey.cast("float").sobel() > 60).avg() / 255
    assert edges > 0.002
    # Many colours, not a handful of flat fills.
    colours = (image[0] // 8 * 1024 + image[1] // 8 * 32 + image[2] // 8).cast("ushort")
    assert sum(1 for count in colours.hist_find().tolist()[0] if count) > 300


def test_every_demo_photo_differs() -> None:
    descriptions = [photo.description for photo in DEMO_PHOTOS]
    assert len(set(descriptions)) == len(DEMO_PHOTOS) == 12
    assert len({(photo.scene, photo.taken) for photo in DEMO_PHOTOS}) == 12
