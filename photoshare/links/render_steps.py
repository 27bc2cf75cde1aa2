"""The libvips step of each transformation operation, with Cloudinary's semantics.

Images are 8-bit sRGB (3 bands, or 4 with alpha) on the way in and on the way out;
``photoshare.links.renderer`` opens the source, runs these in order and writes the result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

from photoshare.links.plan import within_bounds
from photoshare.links.transformations import (
    MAX_SIDE,
    Border,
    Effect,
    Flip,
    Format,
    Gravity,
    Operation,
    Radius,
    Resize,
    Rotate,
)
from photoshare.media.vips import pyvips

WHITE = [255, 255, 255]
_TRANSPARENT = [255, 255, 255, 0]
_RIGHT_ANGLES = {90: "d90", 180: "d180", 270: "d270"}
# The classic sepia matrix (rows give R, G, B from R, G, B).
_SEPIA = [
    [0.393, 0.769, 0.189],
    [0.349, 0.686, 0.168],
    [0.272, 0.534, 0.131],
]
_IDENTITY = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]

# thumbnail(width, height=..., **options): from the file (shrink-on-load) or from an image.
Thumbnailer = Callable[..., pyvips.Image]


def srgb(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB (3 bands, or 4 with alpha) whatever the source was: grey, CMYK, 16-bit."""
    if image.interpretation != "srgb":
        image = image.colourspace("srgb")
    if image.format != "uchar":
        image = image.cast("uchar")
    return image


def apply(image: pyvips.Image, op: Operation) -> pyvips.Image:
    match op:
        case Resize():
            return resize(image, op, partial(image.thumbnail_image, no_rotate=True))
        case Rotate():
            return _rotate(image, op.angle)
        case Flip():
            return _flip(image, op.direction)
        case Effect():
            return _effect(image, op)
        case Radius():
            return _round_corners(image, op.value)
        case Border():
            return _border(image, op.width, op.color)
        case Format():
            return image  # applied when saving
    raise AssertionError(f"unknown operation {op!r}")


# ---------------------------------------------------------------------------
# Helpers shared by the operations


def _uchar(image: pyvips.Image) -> pyvips.Image:
    """Round and clamp to 0..255 (cast clamps out-of-range values)."""
    return image.rint().cast("uchar")


def _background(image: pyvips.Image) -> list[int]:
    """White, or transparent when the image has an alpha band."""
    return _TRANSPARENT if image.hasalpha() else WHITE


def _split_alpha(image: pyvips.Image) -> tuple[pyvips.Image, pyvips.Image | None]:
    if image.hasalpha():
        return image.extract_band(0, n=image.bands - 1), image.extract_band(image.bands - 1)
    return image, None


def _join_alpha(colour: pyvips.Image, alpha: pyvips.Image | None) -> pyvips.Image:
    return colour if alpha is None else colour.bandjoin(alpha)


def _anchor(gravity: Gravity, spare_x: int, spare_y: int) -> tuple[int, int]:
    """The top-left offset placing a box with `spare` room around it at the gravity."""
    sides = gravity.split("_")
    left = 0 if "west" in sides else spare_x if "east" in sides else spare_x // 2
    top = 0 if "north" in sides else spare_y if "south" in sides else spare_y // 2
    return left, top


def _box(op: Resize) -> tuple[int, int]:
    if op.width is None or op.height is None:
        raise AssertionError(f"crop mode {op.crop!r} needs both sides")  # the model ensures it
    return op.width, op.height


# ---------------------------------------------------------------------------
# Resize


def resize(image: pyvips.Image, op: Resize, thumbnail: Thumbnailer) -> pyvips.Image:
    """Resize as Cloudinary's crop modes do; `image` gives the size (and pixels for crop).

    Upscaling is allowed; a given side is at most MAX_SIDE and an unconstrained one is
    capped at MAX_SIDE too, so the result never exceeds MAX_SIDE square.
    """
    match op.crop:
        case "scale" if op.width is not None and op.height is not None:
            return thumbnail(op.width, height=op.height, size="force")
        case "scale" | "fit":
            # One side given keeps the aspect ratio: fit inside that side by MAX_SIDE.
            return thumbnail(op.width or MAX_SIDE, height=op.height or MAX_SIDE)
        case "fill" | "thumb":
            return _fill(image, *_box(op), op.gravity, thumbnail)
        case "pad":
            width, height = _box(op)
            return _pad(thumbnail(width, height=height), width, height, op.gravity)
        case "crop":
            return _crop(image, *_box(op), op.gravity)
    raise AssertionError(f"unknown crop mode {op.crop!r}")


def _fill(
    image: pyvips.Image, width: int, height: int, gravity: Gravity, thumbnail: Thumbnailer
) -> pyvips.Image:
    """Cover width x height keeping the aspect ratio, then cut it out at the gravity."""
    if gravity in ("center", "auto"):
        return thumbnail(
            width, height=height, crop="centre" if gravity == "center" else "attention"
        )
    scale = max(width / image.width, height / image.height)
    cover_width = max(width, round(image.width * scale))
    cover_height = max(height, round(image.height * scale))
    if not within_bounds(cover_width, cover_height):
        # A photo far wider or taller than the box: cut the box's shape out of it first,
        # rather than make a cover past the bounds.
        shape = _crop(image, max(1, round(width / scale)), max(1, round(height / scale)), gravity)
        return srgb(shape.thumbnail_image(width, height=height, size="force", no_rotate=True))
    cover = thumbnail(cover_width, height=cover_height, size="force")
    return _crop(cover, width, height, gravity)


def _pad(image: pyvips.Image, width: int, height: int, gravity: Gravity) -> pyvips.Image:
    """Place the image on a width x height canvas at the gravity."""
    left, top = _anchor(gravity, width - image.width, height - image.height)
    return image.embed(left, top, width, height, extend="background", background=_background(image))


def _crop(image: pyvips.Image, width: int, height: int, gravity: Gravity) -> pyvips.Image:
    """Cut out width x height (at most the image) at the gravity, without scaling."""
    width, height = min(width, image.width), min(height, image.height)
    if gravity == "auto":
        return image.smartcrop(width, height, interesting="attention")
    left, top = _anchor(gravity, image.width - width, image.height - height)
    return image.extract_area(left, top, width, height)


# ---------------------------------------------------------------------------
# Rotate and flip


def _rotate(image: pyvips.Image, angle: int) -> pyvips.Image:
    """Rotate clockwise; other than right angles the canvas grows to the bounding box."""
    if angle == 0:
        return image
    if angle in _RIGHT_ANGLES:
        return image.rot(_RIGHT_ANGLES[angle])
    if not image.hasalpha():
        return image.rotate(angle, background=WHITE)
    # Interpolate premultiplied so transparent corners do not bleed into the edges.
    rotated = image.premultiply().rotate(angle, background=[0, 0, 0, 0])
    return _uchar(rotated.unpremultiply())


def _flip(image: pyvips.Image, direction: str) -> pyvips.Image:
    return image.fliphor() if direction == "horizontal" else image.flipver()


# ---------------------------------------------------------------------------
# Effects: on the colour bands only, any alpha is kept as it is


def _effect(image: pyvips.Image, effect: Effect) -> pyvips.Image:
    colour, alpha = _split_alpha(image)
    strength = effect.strength or 0  # the model fills in the default where there is one
    match effect.name:
        case "grayscale":
            colour = colour.colourspace("b-w").colourspace("srgb")
        case "sepia":
            colour = _sepia(colour, strength / 100)
        case "blur":
            colour = colour.gaussblur(strength / 40)
        case "sharpen":
            colour = colour.sharpen(sigma=0.5 + strength / 400)
        case "pixelate":
            colour = _pixelate(colour, strength)
        case "negate":
            colour = colour.invert()
        case "brightness":
            colour = _uchar(colour.linear(1 + strength / 100, 0))
        case "contrast":
            factor = 1 + strength / 100
            colour = _uchar(colour.linear(factor, 128 * (1 - factor)))
        case "saturation":
            colour = _saturation(colour, 1 + strength / 100)
    return _join_alpha(colour, alpha)


def _sepia(colour: pyvips.Image, amount: float) -> pyvips.Image:
    """The sepia matrix blended with the identity by `amount` (0..1): one recomb."""
    matrix = [
        [(1 - amount) * same + amount * sepia for same, sepia in zip(row, sepia_row, strict=True)]
        for row, sepia_row in zip(_IDENTITY, _SEPIA, strict=True)
    ]
    return _uchar(colour.recomb(matrix))


def _pixelate(colour: pyvips.Image, cell: int) -> pyvips.Image:
    """Sample one pixel per cell x cell block (nearest) and blow it back up to the block."""
    width, height = colour.width, colour.height
    across, down = math.ceil(width / cell), math.ceil(height / cell)
    cells = colour.resize(across / width, vscale=down / height, kernel="nearest")
    return cells.zoom(cell, cell).embed(0, 0, width, height, extend="copy")


def _saturation(colour: pyvips.Image, factor: float) -> pyvips.Image:
    """Scale the chroma in LCh."""
    lch = colour.colourspace("lch").linear([1, factor, 1], [0, 0, 0])
    return srgb(lch.copy(interpretation="lch").colourspace("srgb"))


# ---------------------------------------------------------------------------
# Rounded corners and border


def _pixel_centres(width: int, height: int) -> tuple[pyvips.Image, pyvips.Image]:
    """Each pixel centre's x and y relative to the image centre."""
    xyz = pyvips.Image.xyz(width, height)
    return xyz[0] + (0.5 - width / 2), xyz[1] + (0.5 - height / 2)


def _coverage(signed_distance: pyvips.Image) -> pyvips.Image:
    """Antialiased opacity 0..1 from the distance outside (+) or inside (-) the edge."""
    return (0.5 - signed_distance).clamp(min=0, max=1)


def _ellipse_mask(width: int, height: int) -> pyvips.Image:
    """The ellipse inscribed in the image (a circle when square), as coverage 0..1."""
    x, y = _pixel_centres(width, height)
    a, b = width / 2, height / 2
    # f < 0 inside; f / |grad f| approximates the distance to the edge in pixels.
    f = (x / a) ** 2 + (y / b) ** 2 - 1
    gradient = 2 * ((x / a**2) ** 2 + (y / b**2) ** 2) ** 0.5
    return _coverage(f / (gradient + 1e-9))


def _rounded_rectangle_mask(width: int, height: int, radius: float) -> pyvips.Image:
    """A rectangle with corners of `radius`, as coverage 0..1."""
    x, y = _pixel_centres(width, height)
    # Distance from the inner rectangle the corner circles are centred on.
    dx = x.abs() - (width / 2 - radius)
    dy = y.abs() - (height / 2 - radius)
    dx = (dx > 0).ifthenelse(dx, 0)
    dy = (dy > 0).ifthenelse(dy, 0)
    return _coverage((dx**2 + dy**2) ** 0.5 - radius)


def _round_corners(image: pyvips.Image, value: int | str) -> pyvips.Image:
    width, height = image.width, image.height
    if value == "max":
        mask = _ellipse_mask(width, height)
    else:
        mask = _rounded_rectangle_mask(width, height, min(float(value), min(width, height) / 2))
    colour, alpha = _split_alpha(image)
    alpha = _uchar(mask * 255 if alpha is None else mask * alpha)
    return colour.bandjoin(alpha).copy(interpretation="srgb")


def _border(image: pyvips.Image, width: int, color: str) -> pyvips.Image:
    """Grow the canvas by `width` on every side, filled opaque with "#rrggbb"."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    fill = [*rgb, 255] if image.hasalpha() else rgb
    return image.embed(
        width,
        width,
        image.width + 2 * width,
        image.height + 2 * width,
        extend="background",
        background=fill,
    )
