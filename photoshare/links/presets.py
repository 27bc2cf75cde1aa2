"""Named transformations and the catalogue clients build transformations from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from photoshare.links.transformations import (
    EFFECT_STRENGTH,
    MAX_OPERATIONS,
    MAX_PIXELS,
    MAX_SIDE,
    Border,
    Effect,
    EffectName,
    Flip,
    Format,
    Radius,
    Resize,
    Rotate,
    Transformation,
    canonical,
    parse,
)

PRESETS: dict[str, tuple[str, str]] = {
    "circle_avatar": (
        "A 256 px circle around the most interesting part",
        "c_thumb,w_256,h_256,g_auto/r_max/f_png,q_auto",
    ),
    "square_thumbnail": ("A 300 px square thumbnail", "c_fill,w_300,h_300,g_auto"),
    "grayscale": ("Black and white", "e_grayscale"),
    "sepia_poster": (
        "A sepia poster with a white frame",
        "c_fill,w_800,h_1200,g_auto/e_sepia:80/bo_20px_solid_rgb:ffffff",
    ),
}


def preset(name: str) -> Transformation | None:
    entry = PRESETS.get(name)
    return parse(entry[1]) if entry else None


@dataclass(frozen=True)
class _Listed:
    """An operation as the catalogue lists it: bounds, values and defaults are the model's."""

    model: type[BaseModel]
    fields: tuple[str, ...]
    cloudinary: str
    defaults: tuple[str, ...] = ()  # the fields whose default the catalogue states


_OPERATIONS = {
    "resize": _Listed(
        Resize,
        ("width", "height", "crop", "gravity"),
        "c_<crop>,w_<width>,h_<height>,g_<gravity>",
        defaults=("crop", "gravity"),
    ),
    "rotate": _Listed(Rotate, ("angle",), "a_<angle>"),
    "flip": _Listed(Flip, ("direction",), "a_hflip, a_vflip"),
    "effect": _Listed(Effect, ("name",), "e_<name>[:<strength>]"),
    "radius": _Listed(Radius, ("value",), "r_<value>, r_max"),
    "border": _Listed(Border, ("width", "color"), "bo_<width>px_solid_<color>"),
    # Without a format (q_ alone) the photo's own format is kept.
    "format": _Listed(
        Format, ("format", "quality"), "f_<format>,q_<quality>, q_<quality>", ("format", "quality")
    ),
}
# What the model cannot say about a field: the forms a colour may take.
_NOTES: dict[tuple[type[BaseModel], str], dict[str, str]] = {
    (Border, "color"): {"format": "#rrggbb, rgb:rrggbb, rgb:rgb or a CSS colour name"},
}


def _constraints(info: FieldInfo) -> list[Any]:
    """The field's constraints, also those on one arm of a union (``int | Literal["max"]``)."""
    found = list(info.metadata)
    for arm in get_args(info.annotation):
        if get_origin(arm) is Annotated:
            for item in get_args(arm)[1:]:
                found.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    return found


def _literals(annotation: Any) -> list[Any]:
    """The values a Literal field, or a Literal arm of a union, allows."""
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    arms = [arm for arm in get_args(annotation) if get_origin(arm) is Literal]
    return [value for arm in arms for value in get_args(arm)]


def field_limits(model: type[BaseModel], name: str) -> dict[str, Any]:
    """A field's bounds (min, max) and allowed words as the model declares them.

    A bounded number that may also be a word (``r_max``) lists that word as ``or``.
    """
    info = model.model_fields[name]
    limits: dict[str, Any] = {}
    for constraint in _constraints(info):
        if isinstance(constraint, annotated_types.Ge):
            limits["min"] = constraint.ge
        elif isinstance(constraint, annotated_types.Le):
            limits["max"] = constraint.le
    words = _literals(info.annotation)
    if limits and words:
        limits["or"] = words[0]
    elif words:
        limits["values"] = words
    return limits


def _field(listed: _Listed, name: str) -> dict[str, Any]:
    entry = {**field_limits(listed.model, name), **_NOTES.get((listed.model, name), {})}
    if name in listed.defaults:
        entry["default"] = listed.model.model_fields[name].default
    return entry


def _effect_strengths() -> dict[str, dict[str, Any]]:
    """Each effect's strength bounds and default; an effect without one lists nothing."""
    strengths: dict[str, dict[str, Any]] = {}
    for name in get_args(EffectName):
        bounds = EFFECT_STRENGTH.get(name)
        keys = ("min", "max", "default")
        strengths[name] = (
            {} if bounds is None else {"strength": dict(zip(keys, bounds, strict=True))}
        )
    return strengths


def _operation(name: str, listed: _Listed) -> dict[str, Any]:
    entry: dict[str, Any] = {"fields": {field: _field(listed, field) for field in listed.fields}}
    if name == "effect":
        entry["effects"] = _effect_strengths()
    entry["cloudinary"] = listed.cloudinary
    return entry


def catalogue() -> dict[str, Any]:
    """Every operation with its fields and bounds, and the named presets."""
    return {
        "max_operations": MAX_OPERATIONS,
        # Every image a transformation makes, along the way and at the end, stays within these.
        "max_side": MAX_SIDE,
        "max_pixels": MAX_PIXELS,
        "operations": {name: _operation(name, listed) for name, listed in _OPERATIONS.items()},
        "presets": {
            name: {"description": description, "transformation": canonical(parse(text))}
            for name, (description, text) in PRESETS.items()
        },
    }
