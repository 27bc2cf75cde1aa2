"""Landscapes drawn by libvips for the demo's photos.

A sky gradient, a sun with its glow, two ridges of hills fading into the haze, trees,
buildings with lit windows or water mirroring the sky, and a vignette, drawn at a quarter
of the photo's size (it is smooth: gradients and soft shapes) and scaled up; then film
grain and a sign's text at full size, so one photo takes a fraction of a second.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from photoshare.media.vips import pyvips

Colour = tuple[int, int, int]
# Drawn at 1/4 of the camera's size, then scaled up.
DRAFT_SCALE = 4
_GRAIN_TILE = 509  # a prime: the tile's repeats line up with nothing in the scene


@dataclass(frozen=True)
class Scene:
    """What a demo photo shows: its palette and the things in it."""

    sky: tuple[Colour, Colour]  # top, horizon
    ground: tuple[Colour, Colour]  # far, near
    sun: Colour
    water: bool = False
    trees: bool = False
    buildings: bool = False
    sign: str | None = None


def painted(scene: Scene, width: int, height: int, rng: random.Random) -> pyvips.Image:
    """The scene at ``width`` x ``height``, 8-bit sRGB."""
    draft = _draw(scene, width // DRAFT_SCALE, height // DRAFT_SCALE, rng)
    image = draft.resize(width / draft.width, vscale=height / draft.height, kernel="linear")
    image = _grain(image, rng)
    if scene.sign is not None:
        image = _with_sign(image, scene.sign, rng)
    return image


def _draw(scene: Scene, width: int, height: int, rng: random.Random) -> pyvips.Image:
    xyz = pyvips.Image.xyz(width, height)
    x, y = xyz[0], xyz[1]
    horizon = height * rng.uniform(0.45, 0.62)
    sky = _vertical(y / horizon, *scene.sky)
    sun_x, sun_y = width * rng.uniform(0.2, 0.8), horizon * rng.uniform(0.25, 0.7)
    distance = ((x - sun_x) ** 2 + (y - sun_y) ** 2) ** 0.5
    glow = (distance * (-3.0 / height)).exp()
    sky = sky + (_constant(glow, scene.sun) - sky) * glow * 0.6
    sky = (distance < height * 0.035).ifthenelse(list(scene.sun), sky)
    image = sky
    for layer, haze in ((0, 0.55), (1, 0.0)):
        ridge = _ridge(x, horizon + layer * height * 0.06, height, rng)
        depth = ((y - ridge) / (height - ridge + 1)).clamp(min=0, max=1)
        ground = _vertical(depth, *scene.ground)
        ground = ground * (1 - haze) + _constant(depth, scene.sky[1]) * haze
        image = (y > ridge).ifthenelse(ground, image)
    if scene.water:
        image = _water(image, sky, y, horizon, height)
    image = _vignette(image, x, y, width, height).cast("uchar").copy(interpretation="srgb")
    if scene.buildings:
        image = _draw_buildings(image, horizon, rng, scene)
    if scene.trees:
        image = _draw_trees(image.copy_memory(), horizon, rng, scene.ground[1])
    return image


def _vertical(t: pyvips.Image, top: Colour, bottom: Colour) -> pyvips.Image:
    """A gradient from ``top`` (t = 0) to ``bottom`` (t = 1), one linear per channel."""
    t = t.clamp(min=0, max=1)
    bands = [t * (b - a) + a for a, b in zip(top, bottom, strict=True)]
    return bands[0].bandjoin(bands[1:])


def _constant(like: pyvips.Image, colour: Colour) -> pyvips.Image:
    return like.new_from_image(list(colour)).cast("float")


def _ridge(x: pyvips.Image, base: float, height: int, rng: random.Random) -> pyvips.Image:
    """A line of hills: the sum of a few sine waves of random phase (libvips' sin is in degrees)."""
    ridge = x * 0 + base
    for period, amplitude in ((0.9, 0.06), (0.31, 0.025), (0.09, 0.006)):
        phase = rng.uniform(0, 2 * math.pi)
        ridge = ridge + (x * (360 / (period * height)) + math.degrees(phase)).sin() * (
            amplitude * height
        )
    return ridge


def _water(
    image: pyvips.Image, sky: pyvips.Image, y: pyvips.Image, horizon: float, height: int
) -> pyvips.Image:
    """Below a shore line, the sky mirrored and darkened, rippled."""
    shore = horizon + height * 0.12
    mirrored = sky.flipver().embed(0, int(2 * shore - height), sky.width, height, extend="mirror")
    ripple = ((y * 4.0).sin() * 6).bandjoin([y * 0, y * 0])
    water = mirrored * 0.7 + ripple
    return (y > shore).ifthenelse(water, image)


def _vignette(
    image: pyvips.Image, x: pyvips.Image, y: pyvips.Image, width: int, height: int
) -> pyvips.Image:
    r2 = ((x - width / 2) / width) ** 2 + ((y - height / 2) / height) ** 2
    return image * (1 - r2 * 0.7)


def _draw_trees(
    image: pyvips.Image, horizon: float, rng: random.Random, dark: Colour
) -> pyvips.Image:
    """Round crowns on trunks, larger nearer the bottom."""
    # A draw operation returns a drawn copy (pyvips copies what it modifies): few of them.
    for _ in range(rng.randint(6, 12)):
        cx = rng.randint(0, image.width)
        base = int(horizon + rng.uniform(0.08, 0.35) * image.height)
        size = int(image.height * rng.uniform(0.03, 0.09))
        shade = [max(0, c - rng.randint(10, 40)) for c in dark]
        light = [min(255, c + 25) for c in shade]
        image = image.draw_rect(
            [60, 42, 30], cx - size // 8, base - size, size // 4, size, fill=True
        )
        image = image.draw_circle(shade, cx, base - size, size, fill=True)
        image = image.draw_circle(
            light, cx - size // 3, int(base - size * 1.3), size // 2, fill=True
        )
    return image


def _draw_buildings(
    image: pyvips.Image, horizon: float, rng: random.Random, scene: Scene
) -> pyvips.Image:
    """A street of blocks, their windows lit or dark: per-column tops, a grid of windows."""
    width, height = image.width, image.height
    tops: list[float] = []
    shades: list[float] = []
    while len(tops) < width:
        block = int(width * rng.uniform(0.08, 0.16))
        top, shade = horizon - height * rng.uniform(0.05, 0.3), rng.uniform(0.6, 1.0)
        tops += [top] * block
        shades += [shade] * block
    xyz = pyvips.Image.xyz(width, height)
    x, y = xyz[0], xyz[1]
    top_of = pyvips.Image.new_from_list([tops[:width]]).replicate(1, height)
    shade_of = pyvips.Image.new_from_list([shades[:width]]).replicate(1, height)
    wall = shade_of * list(scene.ground[0])
    step = max(6, width // 40)
    night = scene.sky[0][2] < 60
    cells = [
        [1 if rng.random() < (0.6 if night else 0.15) else 0 for _ in range(width // step + 1)]
        for _ in range(height // step + 1)
    ]
    lit = pyvips.Image.new_from_list(cells).zoom(step, step).crop(0, 0, width, height)
    window = ((x % step) >= step // 4) & ((x % step) < step * 3 // 4)
    window = window & ((y % step) >= step // 5) & ((y % step) < step * 4 // 5)
    window = window & (y > top_of + step) & (y < horizon + height * 0.2)
    glass = (lit > 0).ifthenelse(list(scene.sun), [28, 30, 36])
    building = window.ifthenelse(glass, wall)
    return (y > top_of).ifthenelse(building, image).cast("uchar").copy(interpretation="srgb")


# ---------------------------------------------------------------------------
# At full size


def _grain(image: pyvips.Image, rng: random.Random) -> pyvips.Image:
    """Luminance grain, as a sensor at its base ISO shows it.

    A tile of noise repeated: the eye finds no pattern in grain, and making 12 million
    Gaussian samples would take longer than the rest of the photo.
    """
    tile = pyvips.Image.gaussnoise(
        _GRAIN_TILE, _GRAIN_TILE, sigma=5, mean=0, seed=rng.randint(0, 1 << 30)
    )
    across, down = -(-image.width // _GRAIN_TILE), -(-image.height // _GRAIN_TILE)
    noise = tile.copy_memory().replicate(across, down).crop(0, 0, image.width, image.height)
    return (image + noise).cast("uchar").copy(interpretation="srgb")


def _with_sign(image: pyvips.Image, text: str, rng: random.Random) -> pyvips.Image:
    """White lettering on a dark plaque somewhere in the lower half."""
    lettering = pyvips.Image.text(
        text, font="sans bold", height=image.height // 24, width=image.width // 2
    )
    pad = lettering.height // 3
    plaque = lettering.embed(pad, pad, lettering.width + 2 * pad, lettering.height + 2 * pad)
    left = rng.randint(0, max(0, image.width - plaque.width))
    top = rng.randint(image.height // 2, max(image.height // 2, image.height - plaque.height))
    area = image.extract_area(left, top, plaque.width, plaque.height)
    board = area * 0.25 + [20, 24, 30]
    painted = _blend(board, [245, 240, 225], plaque)
    return image.insert(painted.cast("uchar"), left, top)


def _blend(under: pyvips.Image, colour: Sequence[int], coverage: pyvips.Image) -> pyvips.Image:
    alpha = coverage / 255
    return under * (1 - alpha) + alpha * list(colour)
