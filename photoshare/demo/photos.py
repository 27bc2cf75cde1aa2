"""The photos of ``photoshare demo``: scenes that look like camera shots, with EXIF.

Each is a landscape (``photoshare.demo.drawing``) at a 12-megapixel camera's size, saved
as the camera would: a JPEG with the EXIF a camera writes (make, model, lens, exposure,
when it was taken, with its UTC offset) and no location. libvips writes the EXIF fields
set on an image as ``exif-ifd0-Make`` and so on, so the app needs no other library.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from photoshare.demo.drawing import Colour, Scene, painted
from photoshare.media.vips import pyvips

_JPEG_QUALITY = 88


@dataclass(frozen=True)
class Camera:
    make: str
    model: str
    lens: str
    size: tuple[int, int]  # the sensor's width and height in pixels
    focal_length_mm: float
    f_number: float


CAMERAS = (
    Camera(
        "Apple", "iPhone 13", "iPhone 13 back dual wide camera 5.1mm f/1.6", (4032, 3024), 5.1, 1.6
    ),
    Camera("Canon", "Canon EOS 450D", "EF-S18-55mm f/3.5-5.6 IS", (4272, 2848), 24.0, 8.0),
    Camera("FUJIFILM", "FinePix X100", "23mm f/2", (4288, 2848), 23.0, 5.6),
    Camera("Panasonic", "DMC-GF1", "LUMIX G 20/F1.7 ASPH.", (4000, 3000), 20.0, 4.0),
)


@dataclass(frozen=True)
class DemoPhoto:
    description: str
    tags: str
    scene: Scene
    camera: Camera
    taken: datetime
    portrait: bool = False


def _scene(sky: str, ground: str, sun: str, things: str = "", sign: str | None = None) -> Scene:
    """A scene from its colours in hex (sky top and horizon, far and near ground, sun)."""

    def colours(text: str) -> list[Colour]:
        return [(int(rgb[0:2], 16), int(rgb[2:4], 16), int(rgb[4:6], 16)) for rgb in text.split()]

    top, horizon = colours(sky)
    far, near = colours(ground)
    [light] = colours(sun)
    water, trees, buildings = (name in things.split() for name in ("water", "trees", "buildings"))
    return Scene((top, horizon), (far, near), light, water, trees, buildings, sign)


_CAMERAS = dict(zip(("iphone", "canon", "fuji", "lumix"), CAMERAS, strict=True))
_SCENES = {
    "harbour": _scene("262c5c f3965c", "343046 181622", "ffc478", "water", "HARBOUR MASTER"),
    "river_fog": _scene("b0b8be dee0dc", "96a09e 5c6862", "faf6e6", "water trees"),
    "street": _scene("5c8cc8 c8d6e2", "96463c 703028", "fffae6", "buildings", "RUE DES FLEURS"),
    "lake": _scene("1852aa 96c4e8", "607082 284634", "fffff0", "water trees"),
    "sunflowers": _scene("3c78d2 b0d2ec", "bea028 786e14", "fff0aa", "trees"),
    "market": _scene("080a1e 3c2850", "1e1a28 100e16", "fadca0", "buildings", "NIGHT MARKET"),
    "pier": _scene("5a82aa c8d6dc", "465a64 28343c", "fffceb", "water", "PIER 3"),
    "snow": _scene("96aac4 e6eaf0", "ecf0f6 c8d0dc", "ffffff", "trees"),
    "dunes": _scene("4682c8 d6dcd8", "e2b478 be8246", "fffff0"),
    "autumn": _scene("78828c c8beaa", "aa6028 5a3218", "ffe6be", "trees"),
    "lighthouse": _scene("282e38 6e747c", "323840 1a1e24", "c8ccd2", "water buildings"),
    "blossom": _scene("78aae2 e2e4ec", "789650 466432", "fffaf0", "trees", "PARK GATE"),
}

_CAPTIONS = (
    ("Harbour at dusk, boats resting on still water", "sea,evening"),
    ("Morning fog over the river", "river,fog"),
    ("A red door in an old street", "city,red"),
    ("Mountain lake under a clear sky", "mountains,lake"),
    ("Sunflowers facing the afternoon sun", "flowers,summer"),
    ("Night market lights", "city,night"),
    ("Waves breaking on the pier", "sea,waves"),
    ("Snow on pine branches", "winter,forest"),
    ("Desert dunes at noon", "desert,summer"),
    ("Autumn leaves on a wet path", "autumn,forest"),
    ("Lighthouse in the storm", "sea,storm"),
    ("Cherry blossom in the park", "spring,flowers"),
)
# Each caption's scene, camera, when it was taken (with the camera's UTC offset) and how
# the camera was held (landscape or portrait).
_SHOTS = (
    "harbour iphone 2024-06-09 21:12 +0200 landscape",
    "river_fog lumix 2024-10-17 07:40 +0200 landscape",
    "street fuji 2024-04-30 11:05 +0200 portrait",
    "lake canon 2024-07-19 13:30 +0200 landscape",
    "sunflowers iphone 2024-08-03 16:20 +0200 landscape",
    "market iphone 2024-01-31 22:45 +0800 landscape",
    "pier lumix 2024-09-07 15:02 +0100 landscape",
    "snow canon 2024-01-16 10:10 +0100 portrait",
    "dunes fuji 2024-06-29 12:00 +0400 landscape",
    "autumn lumix 2024-10-27 09:15 +0100 landscape",
    "lighthouse canon 2024-11-16 17:50 +0000 portrait",
    "blossom fuji 2024-04-05 14:25 +0900 landscape",
)


def _photo(caption: tuple[str, str], shot: str) -> DemoPhoto:
    scene, camera, day, time, offset, held = shot.split()
    taken = datetime.strptime(f"{day} {time} {offset}", "%Y-%m-%d %H:%M %z")
    description, tags = caption
    portrait = held == "portrait"
    return DemoPhoto(description, tags, _SCENES[scene], _CAMERAS[camera], taken, portrait)


DEMO_PHOTOS = tuple(_photo(caption, shot) for caption, shot in zip(_CAPTIONS, _SHOTS, strict=True))


def demo_jpeg(photo: DemoPhoto, seed: int) -> bytes:
    """The photo as the camera would have saved it: a JPEG at its size, with EXIF."""
    rng = random.Random(seed)  # noqa: S311 - pictures, not secrets
    width, height = photo.camera.size
    if photo.portrait:
        width, height = height, width
    image = painted(photo.scene, width, height, rng).copy()
    for name, value in camera_exif(photo).items():
        image.set_type(pyvips.GValue.gstr_type, name, value)
    return bytes(image.jpegsave_buffer(Q=_JPEG_QUALITY))


def camera_exif(photo: DemoPhoto) -> dict[str, str]:
    """The EXIF fields a camera writes, as libvips names them (it writes them on save)."""
    camera, taken = photo.camera, photo.taken
    offset = taken.strftime("%z")
    exposure = 30 if photo.scene.sky[0][2] < 60 else 250  # dark scenes get a long exposure
    return {
        "exif-ifd0-Make": camera.make,
        "exif-ifd0-Model": camera.model,
        "exif-ifd0-DateTime": taken.strftime("%Y:%m:%d %H:%M:%S"),
        "exif-ifd2-DateTimeOriginal": taken.strftime("%Y:%m:%d %H:%M:%S"),
        "exif-ifd2-OffsetTimeOriginal": f"{offset[:3]}:{offset[3:]}",
        "exif-ifd2-LensModel": camera.lens,
        "exif-ifd2-FocalLength": f"{round(camera.focal_length_mm * 10)}/10",
        "exif-ifd2-FNumber": f"{round(camera.f_number * 10)}/10",
        "exif-ifd2-ExposureTime": f"1/{exposure}",
        "exif-ifd2-ISOSpeedRatings": "800" if exposure == 30 else "100",
    }
