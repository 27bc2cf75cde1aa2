"""The photos of ``photoshare demo``: scenes that look like camera shots, with EXIF.

Each is a landscape (``photoshare.demo.drawing``) at a 12-megapixel camera's size, saved
as the camera would: a JPEG with the EXIF a camera writes (make, model, lens, exposure,
when it was taken, with its UTC offset) and no location. libvips writes the EXIF fields
set on an image as ``exif-ifd0-Make`` and so on, so the app needs no other library.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from photoshare.demo.drawing import Scene, painted
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


def _when(day: int, hour: int, minute: int, offset_hours: int) -> datetime:
    zone = timezone(timedelta(hours=offset_hours))
    return datetime(2024, 1, 1, hour, minute, tzinfo=zone) + timedelta(days=day)


_IPHONE, _CANON, _FUJI, _LUMIX = CAMERAS

DEMO_PHOTOS = (
    DemoPhoto(
        "Harbour at dusk, boats resting on still water",
        "sea,evening",
        Scene(
            ((38, 44, 92), (243, 150, 92)),
            ((52, 48, 70), (24, 22, 34)),
            (255, 196, 120),
            water=True,
            sign="HARBOUR MASTER",
        ),
        _IPHONE,
        _when(160, 21, 12, 2),
    ),
    DemoPhoto(
        "Morning fog over the river",
        "river,fog",
        Scene(
            ((176, 184, 190), (222, 224, 220)),
            ((150, 160, 158), (92, 104, 98)),
            (250, 246, 230),
            water=True,
            trees=True,
        ),
        _LUMIX,
        _when(290, 7, 40, 2),
    ),
    DemoPhoto(
        "A red door in an old street",
        "city,red",
        Scene(
            ((92, 140, 200), (200, 214, 226)),
            ((150, 70, 60), (112, 48, 40)),
            (255, 250, 230),
            buildings=True,
            sign="RUE DES FLEURS",
        ),
        _FUJI,
        _when(120, 11, 5, 2),
        portrait=True,
    ),
    DemoPhoto(
        "Mountain lake under a clear sky",
        "mountains,lake",
        Scene(
            ((24, 82, 170), (150, 196, 232)),
            ((96, 112, 130), (40, 70, 52)),
            (255, 255, 240),
            water=True,
            trees=True,
        ),
        _CANON,
        _when(200, 13, 30, 2),
    ),
    DemoPhoto(
        "Sunflowers facing the afternoon sun",
        "flowers,summer",
        Scene(
            ((60, 120, 210), (176, 210, 236)),
            ((190, 160, 40), (120, 110, 20)),
            (255, 240, 170),
            trees=True,
        ),
        _IPHONE,
        _when(215, 16, 20, 2),
    ),
    DemoPhoto(
        "Night market lights",
        "city,night",
        Scene(
            ((8, 10, 30), (60, 40, 80)),
            ((30, 26, 40), (16, 14, 22)),
            (250, 220, 160),
            buildings=True,
            sign="NIGHT MARKET",
        ),
        _IPHONE,
        _when(30, 22, 45, 8),
    ),
    DemoPhoto(
        "Waves breaking on the pier",
        "sea,waves",
        Scene(
            ((90, 130, 170), (200, 214, 220)),
            ((70, 90, 100), (40, 52, 60)),
            (255, 252, 235),
            water=True,
            sign="PIER 3",
        ),
        _LUMIX,
        _when(250, 15, 2, 1),
    ),
    DemoPhoto(
        "Snow on pine branches",
        "winter,forest",
        Scene(
            ((150, 170, 196), (230, 234, 240)),
            ((236, 240, 246), (200, 208, 220)),
            (255, 255, 255),
            trees=True,
        ),
        _CANON,
        _when(15, 10, 10, 1),
        portrait=True,
    ),
    DemoPhoto(
        "Desert dunes at noon",
        "desert,summer",
        Scene(
            ((70, 130, 200), (214, 220, 216)), ((226, 180, 120), (190, 130, 70)), (255, 255, 240)
        ),
        _FUJI,
        _when(180, 12, 0, 4),
    ),
    DemoPhoto(
        "Autumn leaves on a wet path",
        "autumn,forest",
        Scene(
            ((120, 130, 140), (200, 190, 170)),
            ((170, 96, 40), (90, 50, 24)),
            (255, 230, 190),
            trees=True,
        ),
        _LUMIX,
        _when(300, 9, 15, 1),
    ),
    DemoPhoto(
        "Lighthouse in the storm",
        "sea,storm",
        Scene(
            ((40, 46, 56), (110, 116, 124)),
            ((50, 56, 64), (26, 30, 36)),
            (200, 204, 210),
            water=True,
            buildings=True,
        ),
        _CANON,
        _when(320, 17, 50, 0),
        portrait=True,
    ),
    DemoPhoto(
        "Cherry blossom in the park",
        "spring,flowers",
        Scene(
            ((120, 170, 226), (226, 228, 236)),
            ((120, 150, 80), (70, 100, 50)),
            (255, 250, 240),
            trees=True,
            sign="PARK GATE",
        ),
        _FUJI,
        _when(95, 14, 25, 9),
    ),
)


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
