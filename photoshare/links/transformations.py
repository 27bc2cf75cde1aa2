"""The transformation model: operations, their bounds, the Cloudinary string form.

A transformation is an ordered list of operations. Clients send it as JSON objects or
as a Cloudinary-style string (``c_fill,w_300,h_300/e_grayscale/r_max``) restricted to
the operations below. Every transformation has one canonical string: parameters in a
fixed order, defaults written out, values normalised (angles into 0..359, colours as
hex, the output format last), so equal transformations have equal strings and
``parse(canonical(t)) == t``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from photoshare.links.actions import (
    OUTPUT_KEYS,
    Action,
    ActionError,
    component_actions,
    output_action,
    read_component,
)
from photoshare.links.colors import CSS_COLORS
from photoshare.links.validation_messages import blamed_params, describe, failing_field

MAX_OPERATIONS = 10
MAX_STRING_LENGTH = 1000
MAX_SIDE = 4000
# Every image a render makes, intermediate or final, stays within MAX_SIDE a side and this area.
MAX_PIXELS = 16_800_000

CropMode = Literal["scale", "fit", "fill", "thumb", "pad", "crop"]
Gravity = Literal[
    "center",
    "north",
    "south",
    "east",
    "west",
    "north_east",
    "north_west",
    "south_east",
    "south_west",
    "auto",
]
EffectName = Literal[
    "grayscale",
    "sepia",
    "blur",
    "sharpen",
    "pixelate",
    "negate",
    "brightness",
    "contrast",
    "saturation",
]
OutputFormat = Literal["jpg", "png", "webp", "avif"]
# f_auto: the format is chosen per request from its Accept header (links.negotiation).
AUTO_FORMAT = "auto"
RequestedFormat = Literal[OutputFormat, "auto"]

# Effects that take a strength: (lowest, highest, default). The others take none.
EFFECT_STRENGTH: dict[str, tuple[int, int, int]] = {
    "sepia": (1, 100, 80),
    "blur": (1, 2000, 100),
    "sharpen": (1, 2000, 100),
    "pixelate": (1, 200, 5),
    "brightness": (-99, 100, 80),
    "contrast": (-100, 100, 20),
    "saturation": (-100, 100, 80),
}
CROPPING_MODES = {"fill", "thumb", "pad", "crop"}

_HEX_COLOR = re.compile(r"^#?([0-9a-f]{6}|[0-9a-f]{3})$")


def _op_required(schema: dict[str, Any]) -> None:
    # ``op`` picks the operation (the discriminator): a request always names it.
    schema["required"] = ["op", *(name for name in schema.get("required", []) if name != "op")]


class _Operation(BaseModel):
    # Strict: false is not an angle of 0, "90" not a number (the schema says integer).
    model_config = ConfigDict(
        frozen=True, extra="forbid", strict=True, json_schema_extra=_op_required
    )


class Resize(_Operation):
    """Resize or crop to a width and/or height."""

    op: Literal["resize"] = "resize"
    width: Annotated[int, Field(ge=1, le=MAX_SIDE)] | None = None
    height: Annotated[int, Field(ge=1, le=MAX_SIDE)] | None = None
    crop: CropMode = "scale"
    gravity: Gravity = "center"

    @model_validator(mode="after")
    def _consistent(self) -> Resize:
        if self.width is None and self.height is None:
            raise ValueError("resize needs a width, a height or both")
        if self.crop in CROPPING_MODES and (self.width is None or self.height is None):
            raise ValueError(f"resize with crop {self.crop!r} needs both width and height")
        if self.gravity != "center" and self.crop not in CROPPING_MODES:
            raise ValueError(
                f"gravity applies to crop modes fill, thumb, pad and crop, not {self.crop!r}"
            )
        return self


class Rotate(_Operation):
    """Rotate clockwise by an angle in degrees."""

    op: Literal["rotate"] = "rotate"
    angle: Annotated[int, Field(ge=-360, le=360)]

    @field_validator("angle")
    @classmethod
    def _normalise(cls, angle: int) -> int:
        return angle % 360


class Flip(_Operation):
    """Mirror the image."""

    op: Literal["flip"] = "flip"
    direction: Literal["horizontal", "vertical"]


class Effect(_Operation):
    """A colour or filter effect, with a strength where the effect has one."""

    op: Literal["effect"] = "effect"
    name: EffectName
    strength: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _fill_default(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("strength") is None:
            bounds = EFFECT_STRENGTH.get(str(data.get("name")))
            if bounds is not None:
                data = {**data, "strength": bounds[2]}
        return data

    @model_validator(mode="after")
    def _bounded(self) -> Effect:
        bounds = EFFECT_STRENGTH.get(self.name)
        if bounds is None and self.strength is not None:
            raise ValueError(f"effect {self.name!r} takes no strength")
        if bounds is not None:
            low, high, _ = bounds
            if self.strength is None or not low <= self.strength <= high:
                raise ValueError(f"{self.name} strength must be between {low} and {high}")
        return self


class Radius(_Operation):
    """Round the corners; ``max`` makes a circle or an ellipse."""

    op: Literal["radius"] = "radius"
    value: Annotated[int, Field(ge=1, le=2000)] | Literal["max"]


class Border(_Operation):
    """Add a solid border around the image."""

    op: Literal["border"] = "border"
    width: Annotated[int, Field(ge=1, le=100)]
    color: str = Field(
        description="#rrggbb, #rgb, Cloudinary's rgb:rrggbb or rgb:rgb, or a CSS colour name;"
        " kept as #rrggbb",
        max_length=32,
    )

    @field_validator("color")
    @classmethod
    def _hex(cls, color: str) -> str:
        value = color.strip().lower()
        if value.startswith("rgb:"):
            value = value[4:]
        if value in CSS_COLORS:
            return CSS_COLORS[value]
        match = _HEX_COLOR.match(value)
        if match is None:
            raise ValueError(
                f"color {color!r} is neither #rrggbb, rgb:rrggbb nor a CSS colour name"
            )
        digits = match.group(1)
        return "#" + (digits if len(digits) == 6 else "".join(2 * digit for digit in digits))


class Format(_Operation):
    """Choose the output format and quality; without a format the photo's own is kept.

    ``auto`` picks AVIF, WebP or JPEG/PNG by each request's Accept header.
    """

    op: Literal["format"] = "format"
    format: RequestedFormat | None = None
    quality: Annotated[int, Field(ge=1, le=100)] | Literal["auto"] = "auto"

    @field_validator("quality")
    @classmethod
    def _lossless_has_no_quality(cls, quality: int | str, info: ValidationInfo) -> int | str:
        # PNG ignores quality: one canonical form, one cached render.
        return "auto" if info.data.get("format") == "png" else quality


_UNCHANGED_OUTPUT = Format()

Operation = Annotated[
    Resize | Rotate | Flip | Effect | Radius | Border | Format, Field(discriminator="op")
]


class Transformation(RootModel[tuple[Operation, ...]]):
    """An ordered list of operations, the output format (if any) last."""

    model_config = ConfigDict(frozen=True)

    @field_validator("root")
    @classmethod
    def _well_formed(cls, operations: tuple[Operation, ...]) -> tuple[Operation, ...]:
        if not operations:
            raise ValueError("a transformation needs at least one operation")
        if len(operations) > MAX_OPERATIONS:
            raise ValueError(
                f"a transformation has at most {MAX_OPERATIONS} operations, got {len(operations)}"
            )
        formats = [op for op in operations if isinstance(op, Format)]
        if len(formats) > 1:
            raise ValueError("the format operation may appear only once")
        if formats and operations[-1] is not formats[0]:
            # The format applies to the result wherever it is written; canonically it is last.
            operations = (*(op for op in operations if not isinstance(op, Format)), formats[0])
        if len(operations) > 1 and operations[-1] == _UNCHANGED_OUTPUT:
            # q_auto alone changes nothing: one canonical string for w_300 and w_300/q_auto.
            operations = operations[:-1]
        return operations

    @property
    def output_format(self) -> Format | None:
        last = self.root[-1]
        return last if isinstance(last, Format) else None

    @property
    def negotiated(self) -> bool:
        """Whether the output format is chosen per request (f_auto)."""
        chosen = self.output_format
        return chosen is not None and chosen.format == AUTO_FORMAT

    def in_format(self, extension: OutputFormat) -> Transformation:
        """The same operations written out in one concrete format, keeping the quality."""
        chosen = self.output_format
        quality = "auto" if chosen is None else chosen.quality
        body = self.root[:-1] if chosen is not None else self.root
        return Transformation((*body, Format(format=extension, quality=quality)))


class TransformationError(ValueError):
    """A transformation string or list that is not in the accepted set."""


# ---------------------------------------------------------------------------
# The canonical string


def canonical_operation(op: Operation) -> str:
    """One operation's part of the canonical string."""
    match op:
        case Resize():
            parts = [f"c_{op.crop}"]
            if op.width is not None:
                parts.append(f"w_{op.width}")
            if op.height is not None:
                parts.append(f"h_{op.height}")
            if op.gravity != "center":
                parts.append(f"g_{op.gravity}")
            return ",".join(parts)
        case Rotate():
            return f"a_{op.angle}"
        case Flip():
            return "a_hflip" if op.direction == "horizontal" else "a_vflip"
        case Effect():
            return f"e_{op.name}" if op.strength is None else f"e_{op.name}:{op.strength}"
        case Radius():
            return f"r_{op.value}"
        case Border():
            return f"bo_{op.width}px_solid_rgb:{op.color.lstrip('#')}"
        case Format():
            quality = f"q_{op.quality}"
            return quality if op.format is None else f"f_{op.format},{quality}"
    raise AssertionError(f"unknown operation {op!r}")


def canonical(transformation: Transformation) -> str:
    """The one string every equal transformation shares."""
    return "/".join(canonical_operation(op) for op in transformation.root)


# ---------------------------------------------------------------------------
# Parsing the string form (photoshare.links.actions reads one component)

_OPERATION: TypeAdapter[Operation] = TypeAdapter(Operation)


def _validated(action: Action) -> Operation:
    try:
        return _OPERATION.validate_python(action.operation)
    except ValidationError as exc:
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        # "Input should be at most 4000" says which input through the field's name.
        message = message.replace("Input should", f"{failing_field(exc)} should", 1)
        raise TransformationError(f"{blamed_params(action, exc)}: {message}") from None


def _component_operations(component: str, output: dict[str, str]) -> list[Operation]:
    """The component's operations; its f_ and q_ go into ``output``, shared by all components."""
    if not component:
        raise TransformationError("empty component")
    try:
        read = read_component(component)
        actions = component_actions(read)
    except ActionError as exc:
        raise TransformationError(str(exc)) from None
    params = read.params
    for key in OUTPUT_KEYS:
        if key in params:
            if key in output:
                raise TransformationError(f"{key}_ may appear only once in a transformation")
            output[key] = params[key]
    return [_validated(action) for action in actions]


def from_operations(operations: Any) -> Transformation:
    """Validate JSON operations into a Transformation, or raise TransformationError."""
    if isinstance(operations, list) and len(operations) > MAX_OPERATIONS:
        raise TransformationError(
            f"a transformation has at most {MAX_OPERATIONS} operations, got {len(operations)}"
        )
    try:
        return Transformation.model_validate(operations)
    except ValidationError as exc:
        raise TransformationError(describe(exc)) from None


def parse(text: str) -> Transformation:
    """Parse the Cloudinary string form, accepting only the supported operations."""
    if not isinstance(text, str) or not text.strip():
        raise TransformationError("the transformation is empty")
    if len(text) > MAX_STRING_LENGTH:
        raise TransformationError(
            f"the transformation is longer than {MAX_STRING_LENGTH} characters"
        )
    # Parameter names and values are case-insensitive (rgb:FF0000 is rgb:ff0000).
    components = text.strip().lower().split("/")
    if len(components) > MAX_OPERATIONS:
        raise TransformationError(
            f"a transformation has at most {MAX_OPERATIONS} operations, got {len(components)}"
        )
    operations: list[Operation] = []
    output: dict[str, str] = {}
    for position, component in enumerate(components, start=1):
        try:
            operations.extend(_component_operations(component, output))
        except TransformationError as exc:
            raise TransformationError(f"component {position} ({component[:60]!r}): {exc}") from None
    if output:
        try:
            operations.append(_validated(output_action(output)))
        except ActionError as exc:
            raise TransformationError(str(exc)) from None
    return from_operations(operations)


def coerce(value: Any) -> Transformation:
    """Either request form, a string or a list of operations, as a Transformation."""
    if isinstance(value, Transformation):
        return value
    if isinstance(value, str):
        return parse(value)
    return from_operations(value)
