"""The size of every image a render makes, known before anything renders.

A render opens the stored photo and applies the operations in order; each operation's
output size follows from its input's (a rotation's bounding box, a border, a resize's
box). ``plan`` works them out from the photo's width and height alone, with libvips'
rounding, so a link is checked when it is created and the renderer knows, before it
decodes a pixel, where to start.

Every image a render makes, intermediate or final, stays within MAX_SIDE pixels a side
and MAX_PIXELS pixels. Where only the photo's own size pushes a step over (one 45-degree
turn of a 4000x3000 photo), the render starts from a copy of the photo scaled down into
the largest square box that keeps every step within bounds. Where the operations
themselves ask for more (a 4000 px square turned by 45 degrees), no copy is small enough
and the transformation is refused, naming the operation and the size it would reach.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from photoshare.links.transformations import (
    MAX_PIXELS,
    MAX_SIDE,
    Border,
    Format,
    Operation,
    Resize,
    Rotate,
    Transformation,
    TransformationError,
    canonical_operation,
)


@dataclass(frozen=True)
class Step:
    """One operation, its position in the transformation (from 1) and the size it makes."""

    operation: Operation
    position: int
    width: int
    height: int


@dataclass(frozen=True)
class RenderPlan:
    """Where a render starts and the size of the image after each step."""

    # The size the render starts from: the photo's, or its scaled-down copy's.
    width: int
    height: int
    # The side of the square box the photo is first scaled down into; None: as it is.
    scaled_into: int | None
    steps: tuple[Step, ...]

    @property
    def size(self) -> tuple[int, int]:
        """The size of the rendered image."""
        if not self.steps:
            return self.width, self.height
        return self.steps[-1].width, self.steps[-1].height


class TransformationTooLarge(TransformationError):
    """The operations themselves make an image beyond the bounds, whatever the photo."""

    def __init__(self, step: Step) -> None:
        self.step = step
        super().__init__(
            f"operation {step.position} ({canonical_operation(step.operation)}) would make "
            f"a {step.width}x{step.height} pixel image; every step of a transformation must "
            f"stay within {MAX_SIDE} pixels a side and {MAX_PIXELS / 1_000_000:g} megapixels"
        )


def within_bounds(width: int, height: int) -> bool:
    return width <= MAX_SIDE and height <= MAX_SIDE and width * height <= MAX_PIXELS


def shrinks_on_load(operations: Sequence[Operation]) -> bool:
    """Whether the render applies the first operation while decoding the photo.

    A leading resize (other than a plain crop) is read straight from the file at its
    output size, so the photo's own size never makes an image of its own.
    """
    first = operations[0] if operations else None
    return isinstance(first, Resize) and first.crop != "crop"


def plan(width: int, height: int, transformation: Transformation) -> RenderPlan:
    """The render of `transformation` on a `width` x `height` photo, step by step.

    Raises TransformationTooLarge, naming the first operation past the bounds, when
    even the smallest copy of the photo cannot be rendered within them.
    """
    operations = [op for op in transformation.root if not isinstance(op, Format)]
    if shrinks_on_load(operations):
        # Scaling the photo first would change nothing: the resize decides the size.
        return _checked(RenderPlan(width, height, None, _steps(width, height, operations)))
    as_it_is = RenderPlan(width, height, None, _steps(width, height, operations))
    if _fits(as_it_is):
        return as_it_is
    box = _largest_box(width, height, operations)
    if box is None:
        smallest = fit_into(width, height, 1, 1)
        beyond = _first_beyond(_steps(*smallest, operations))
        assert beyond is not None  # a 1 px copy is within bounds: a step is past them
        raise TransformationTooLarge(beyond)
    start_width, start_height = fit_into(width, height, box, box)
    return RenderPlan(start_width, start_height, box, _steps(start_width, start_height, operations))


def fit_into(width: int, height: int, box_width: int, box_height: int) -> tuple[int, int]:
    """The size of a `width` x `height` image scaled (up or down) to fit inside the box.

    As libvips computes it (a shrink factor, then half-up rounding), to within a pixel:
    its resize may round once more on the way.
    """
    shrink = max(width / box_width, height / box_height)
    return _half_up(width / shrink), _half_up(height / shrink)


def _half_up(size: float) -> int:
    return max(1, math.floor(size + 0.5))


def _largest_box(width: int, height: int, operations: Sequence[Operation]) -> int | None:
    """The largest square box the photo can be scaled into with every step in bounds."""

    def fits(box: int) -> bool:
        start = fit_into(width, height, box, box)
        return _fits(RenderPlan(*start, box, _steps(*start, operations)))

    low, high = 1, min(max(width, height), MAX_SIDE)
    if not fits(low):
        return None
    # Sizes only grow with the box: find the last box that fits.
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _fits(render_plan: RenderPlan) -> bool:
    return within_bounds(render_plan.width, render_plan.height) and all(
        within_bounds(step.width, step.height) for step in render_plan.steps
    )


def _first_beyond(steps: Sequence[Step]) -> Step | None:
    return next((step for step in steps if not within_bounds(step.width, step.height)), None)


def _checked(render_plan: RenderPlan) -> RenderPlan:
    beyond = _first_beyond(render_plan.steps)
    if beyond is not None:
        raise TransformationTooLarge(beyond)
    return render_plan


def _steps(width: int, height: int, operations: Sequence[Operation]) -> tuple[Step, ...]:
    steps = []
    for position, op in enumerate(operations, start=1):
        width, height = output_size(op, width, height)
        steps.append(Step(op, position, width, height))
    return tuple(steps)


def output_size(op: Operation, width: int, height: int) -> tuple[int, int]:
    """The size of the image `op` makes of a `width` x `height` one, as the renderer does."""
    match op:
        case Resize():
            return _resized(op, width, height)
        case Rotate(angle=0 | 180):
            return width, height
        case Rotate(angle=90 | 270):
            return height, width
        case Rotate():
            # libvips rounds the rotated corners' bounding box to the nearest pixel.
            turn = math.radians(op.angle)
            cos, sin = abs(math.cos(turn)), abs(math.sin(turn))
            return round(width * cos + height * sin), round(width * sin + height * cos)
        case Border():
            return width + 2 * op.width, height + 2 * op.width
    return width, height


def _resized(op: Resize, width: int, height: int) -> tuple[int, int]:
    if op.crop == "crop":
        return min(op.width or width, width), min(op.height or height, height)
    if op.crop == "fit" or op.width is None or op.height is None:
        # Fit, or scale by one side: keep the aspect ratio inside the box (MAX_SIDE unset).
        return fit_into(width, height, op.width or MAX_SIDE, op.height or MAX_SIDE)
    # Scale by both sides, fill, thumb and pad give exactly the box.
    return op.width, op.height
