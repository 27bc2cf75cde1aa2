"""The local renderer: a libvips pipeline for every transformation operation.

A transformation (see ``photoshare.links.transformations``) is applied to a stored photo
in order, one small function per operation, with the semantics Cloudinary gives the
same string. The image is kept in sRGB with 8 bits per band throughout, and an alpha band
when the source has one or an operation (rounded corners) makes one.

libvips is demand-driven: nothing is decoded until the result is written, and then in
strips, so memory stays small. When the first operation is a resize, the source is opened
with ``thumbnail``, which shrinks while decoding (a JPEG by 2, 4 or 8 in the decoder
itself), so a 12-megapixel photo is never decoded at full size for an 800 px render.
Only the operations that read pixels out of order (rotations, vertical flips, smart
crops) make the source open for random access. No image it makes, intermediate or final,
is larger than ``photoshare.links.plan`` allows, and a render can be given a time limit.

Rendering is synchronous and CPU-bound; callers run it in a worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from photoshare.links.deadlines import RenderDeadline, RenderTimedOut
from photoshare.links.plan import RenderPlan, plan, shrinks_on_load
from photoshare.links.render_steps import WHITE, apply, resize, srgb
from photoshare.links.transformations import (
    AUTO_FORMAT,
    Border,
    Effect,
    Flip,
    Format,
    Operation,
    OutputFormat,
    Radius,
    Resize,
    Rotate,
    Transformation,
)
from photoshare.media.formats import BY_EXTENSION, BY_NAME, JPEG, ImageFormat
from photoshare.media.vips import pyvips

# Cloudinary's q_auto, roughly: a good-looking default per format.
_AUTO_QUALITY = {"jpg": 80, "webp": 80, "avif": 50}


def output_type(transformation: Transformation, source_format: str) -> ImageFormat:
    """The format the render is written in: the Format op's, else the source's.

    source_format is the stored photo's format name: "jpeg", "png", "webp" or "avif".
    """
    chosen = _format_op(transformation)
    if chosen is not None and chosen.format == AUTO_FORMAT:
        raise ValueError("f_auto is given a format per request (Transformation.in_format)")
    if chosen is not None and chosen.format is not None:
        return BY_EXTENSION[chosen.format]
    name = source_format.lower()
    found = BY_NAME.get(name) or BY_EXTENSION.get(name)
    if found is None:
        raise ValueError(f"unknown source format {source_format!r}")
    return found


def fallback_format(
    transformation: Transformation, source: Path, source_format: str
) -> OutputFormat:
    """What f_auto falls back to (the extension): PNG when the render has alpha, else JPEG.

    Reads the photo's header only, and only when neither its format nor the operations
    settle it. Raises pyvips.Error for a source that cannot be read.
    """
    if any(isinstance(op, Radius) for op in transformation.root):
        return "png"  # rounded corners are transparent
    if source_format in (JPEG.name, JPEG.extension):
        return "jpg"
    header = pyvips.Image.new_from_file(str(source), access="sequential")
    return "png" if header.hasalpha() else "jpg"


def render(
    source: Path,
    transformation: Transformation,
    target: Path,
    *,
    source_format: str,
    time_limit: float | None = None,
) -> None:
    """Apply the operations to the image at `source` and write the result to `target`.

    `target`'s suffix should match ``output_type(...).extension`` (the saver is chosen by
    the output type, not the suffix). Synchronous, CPU-bound: the caller runs it in a
    worker thread. Every image it makes stays within the bounds of ``plan``: it starts
    from a scaled-down copy of a photo too large for them, and raises
    TransformationTooLarge when the operations themselves go past them. With a
    `time_limit` (seconds), a render still running then stops and raises RenderTimedOut.
    Raises pyvips.Error for a broken source. A partly written `target` is removed.
    """
    kind = output_type(transformation, source_format)
    deadline = RenderDeadline(time_limit) if time_limit is not None else None
    try:
        _render(source, transformation, target, kind, deadline)
    except BaseException:
        target.unlink(missing_ok=True)
        if deadline is not None and deadline.passed:
            raise RenderTimedOut(f"the render took longer than {deadline.seconds:g} s") from None
        raise


def _render(
    source: Path,
    transformation: Transformation,
    target: Path,
    kind: ImageFormat,
    deadline: RenderDeadline | None,
) -> None:
    operations = [op for op in transformation.root if not isinstance(op, Format)]
    header = pyvips.Image.new_from_file(str(source), access="sequential")  # header only
    steps = plan(header.width, header.height, transformation)
    image, remaining = _load(source, operations, steps, deadline)
    for op in remaining:
        image = apply(image, op)
        if deadline is not None:
            deadline.check()
    if _ends_grey(operations):
        # One band instead of three: a grey PNG encodes about 3x faster and smaller.
        image = image.colourspace("b-w")
    _save(image, target, kind, _format_op(transformation))


def _ends_grey(operations: Sequence[Operation]) -> bool:
    """Whether the result is certainly grey: made grey, and no colour added after that."""
    grey = False
    for op in operations:
        match op:
            case Effect(name="grayscale"):
                grey = True
            case Effect(name="sepia" | "saturation"):
                grey = False
            case Border(color=color) if len({color[1:3], color[3:5], color[5:7]}) > 1:
                grey = False
    return grey


def _format_op(transformation: Transformation) -> Format | None:
    return transformation.output_format


# ---------------------------------------------------------------------------
# Loading


def _needs_random_access(op: Operation) -> bool:
    """Whether the operation reads its input out of order (a sequential source would fail)."""
    match op:
        case Rotate():
            return op.angle != 0
        case Flip():
            return op.direction == "vertical"
        case Resize():
            return op.gravity == "auto"
    return False


def _load(
    source: Path,
    operations: Sequence[Operation],
    steps: RenderPlan,
    deadline: RenderDeadline | None,
) -> tuple[pyvips.Image, list[Operation]]:
    """Open the source as the plan says; return the image and what is left to do.

    A leading resize is applied while decoding; otherwise the render starts from the
    photo, or from its copy scaled into the plan's box when the photo is too large.
    """
    watch = deadline.watch if deadline is not None else _unwatched
    if shrinks_on_load(operations):
        first, remaining = operations[0], list(operations[1:])
        assert isinstance(first, Resize)
        header = watch(pyvips.Image.new_from_file(str(source), access="sequential"))
        image = watch(resize(header, first, partial(_thumbnail_file, source)))
        if any(_needs_random_access(op) for op in remaining):
            # The shrunk image is within the bounds: hold it rather than decode twice.
            image = image.copy_memory()
        return image, remaining
    random = any(_needs_random_access(op) for op in operations)
    if steps.scaled_into is not None:
        box = steps.scaled_into
        image = watch(_thumbnail_file(source, box, height=box))
        return (image.copy_memory() if random else image), list(operations)
    image = pyvips.Image.new_from_file(str(source), access="random" if random else "sequential")
    return srgb(watch(image)), list(operations)


def _unwatched(image: pyvips.Image) -> pyvips.Image:
    return image


def _thumbnail_file(source: Path, width: int, **options: Any) -> pyvips.Image:
    """Shrink while decoding (a JPEG by 2, 4 or 8 in the decoder itself), in sRGB."""
    return srgb(pyvips.Image.thumbnail(str(source), width, no_rotate=True, **options))


# ---------------------------------------------------------------------------
# Writing


def _save(image: pyvips.Image, target: Path, kind: ImageFormat, chosen: Format | None) -> None:
    """Write in the output format; metadata is dropped except the ICC profile."""
    quality = _AUTO_QUALITY.get(kind.extension, 0)
    if chosen is not None and chosen.quality != "auto":
        quality = chosen.quality
    keep = pyvips.enums.ForeignKeep.ICC
    match kind.extension:
        case "jpg":
            if image.hasalpha():
                image = image.flatten(background=WHITE)
            # No optimize_coding: it holds every coefficient of the image in memory.
            image.jpegsave(str(target), Q=quality, keep=keep)
        case "png":
            image.pngsave(str(target), compression=6, keep=keep)
        case "webp":
            image.webpsave(str(target), Q=quality, keep=keep)
        case "avif":
            image.heifsave(str(target), Q=quality, compression="av1", effort=2, keep=keep)
        case _:
            raise AssertionError(f"unknown output format {kind.extension!r}")
