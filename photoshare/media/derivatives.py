"""Making a photo's display sizes and its BlurHash placeholder with libvips.

They are made from the stored copy, which is already upright, sRGB and without
metadata: ``thumbnail`` opens it with shrink-on-load (a JPEG is decoded at 1/2, 1/4 or
1/8 scale), writes ``preview``, and ``thumb`` and the placeholder come from that
preview, so the full image is decoded once. scripts/bench_derivatives.py compares this
with resizing the decoded upload in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import blurhash

from photoshare.media.sizes import DISPLAY_SIZES, PLACEHOLDER_COMPONENTS, DisplaySize
from photoshare.media.uploads import new_temp_file
from photoshare.media.vips import pyvips

# The tiny downscale the BlurHash is computed from: the hash keeps 4x3 components, so
# more pixels add time (pure Python) and nothing one could see.
PLACEHOLDER_SIDE = 32
# Effort 0: measured 2-3x faster than 2 at 1600 px, and no larger (scripts/bench_derivatives.py).
_WEBP_OPTIONS = {"Q": 80, "effort": 0, "keep": pyvips.enums.ForeignKeep.NONE}


@dataclass(frozen=True)
class MadeSize:
    """A display size written to a temporary file."""

    size: DisplaySize
    path: Path
    width: int
    height: int


@dataclass(frozen=True)
class Derivatives:
    sizes: tuple[MadeSize, ...]
    placeholder: str

    def remove_files(self) -> None:
        for made in self.sizes:
            made.path.unlink(missing_ok=True)


def _placeholder(source: str) -> str:
    """The BlurHash of the image in ``source``, from a tiny sRGB downscale."""
    tiny = pyvips.Image.thumbnail(source, PLACEHOLDER_SIDE, height=PLACEHOLDER_SIDE)
    if tiny.interpretation != "srgb" or tiny.format != "uchar":
        tiny = tiny.colourspace("srgb")  # 8-bit RGB (grey and 16-bit sources)
    if tiny.hasalpha():
        tiny = tiny.flatten(background=[255, 255, 255])
    tiny = tiny.extract_band(0, n=3).cast("uchar")
    pixels = tiny.write_to_memory()
    width = tiny.width
    rows = [
        [list(pixels[(y * width + x) * 3 : (y * width + x) * 3 + 3]) for x in range(width)]
        for y in range(tiny.height)
    ]
    across, down = PLACEHOLDER_COMPONENTS
    encoded: str = blurhash.encode(rows, components_x=across, components_y=down)
    return encoded


def derive(stored: Path, workdir: Path) -> Derivatives:
    """Write each display size of the image in ``stored`` as WebP, and its placeholder.

    A size never upscales: a smaller photo's size is the photo's own dimensions. The
    files are new temp files in ``workdir``; none is left behind when this raises.
    """
    made: list[MadeSize] = []
    source = str(stored)
    try:
        for size in DISPLAY_SIZES:
            image = pyvips.Image.thumbnail(source, size.box, height=size.box, size="down")
            target = new_temp_file(workdir, ".webp")
            made.append(MadeSize(size, target, image.width, image.height))
            image.webpsave(str(target), **_WEBP_OPTIONS)
            source = str(target)
        return Derivatives(tuple(made), _placeholder(source))
    except BaseException:
        for written in made:
            written.path.unlink(missing_ok=True)
        raise
