"""The Cloudinary string form's components, read into the operations they stand for.

A component (the text between two slashes) may hold several actions, as Cloudinary's SDKs
write them: c_fill,e_sepia,h_300,r_20,w_300. Whatever order they are written in, Cloudinary
applies one component's actions in a fixed order, and a component becomes the operations of
the chain in that order: the resize (c_, w_, h_, g_), the effect (e_), the rounded corners
(r_), the border (bo_), then the rotation or flips (a_). Each parameter appears once in a
component, except the effect: e_brightness:20,e_contrast:10 applies both, in the order written
(Cloudinary itself would keep only the last; PhotoShare does what the string says). f_ and q_
shape the delivered file, appear once in a whole transformation and become its format operation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# The rules of the string form, for the API's description of the transformation field.
STRING_FORM_RULES = (
    "A list of JSON operations, or Cloudinary's string form restricted to the catalogue"
    " (GET /api/v1/transformations). In the string form, components separated by / run in turn."
    " One component may hold several actions, in any order, as Cloudinary's SDKs write them"
    " (c_fill,e_sepia,h_300,r_20,w_300); it becomes the chain Cloudinary applies: the resize"
    " (c_, w_, h_, g_), the effect (e_), the rounded corners (r_), the border (bo_), then the"
    " angle (a_; a_hflip.90 flips, then rotates). A parameter appears once in a component,"
    " except e_: several effects in one component (e_brightness:20,e_contrast:10) apply in the"
    " order written, as e_brightness:20/e_contrast:10 would. f_ and q_ appear once in a"
    " transformation and apply to the delivered image; q_ alone keeps the photo's format."
    " Colours are #rrggbb, rgb:rrggbb, rgb:rgb or CSS colour names; the canonical string writes"
    " rgb:rrggbb. The link's transformation is the canonical string: one per transformation,"
    " and it parses back to the same transformation. A refusal (422) names the parameter at fault."
)


class ActionError(ValueError):
    """A component that is not written in the accepted set; the message names the parameter."""


_PARAM = re.compile(r"^([a-z]{1,2})_([a-z0-9_:.#-]{1,40})$")
_INTEGER = re.compile(r"^-?[0-9]{1,9}$")
_BORDER = re.compile(r"^([0-9]{1,3})px_solid_(.{1,32})$")
RESIZE_KEYS = {"c": "crop", "w": "width", "h": "height", "g": "gravity"}
OUTPUT_KEYS = {"f": "format", "q": "quality"}
_ACTION_KEYS = {"e", "r", "bo", "a"}


@dataclass(frozen=True)
class Action:
    """One operation as JSON, with the parameters it was written as (to name them in errors)."""

    params: dict[str, str]
    operation: dict[str, Any]


def _integer(param: str, text: str, what: str) -> int:
    """``text`` as an int; ``param`` is the parameter it was written in, to name it."""
    if not _INTEGER.match(text):
        raise ActionError(f"{param}: {what} must be a whole number, got {text!r}")
    return int(text)


@dataclass(frozen=True)
class Component:
    """One component's parameters; its effects, which may repeat, kept apart in written order."""

    params: dict[str, str]
    effects: list[str]


def read_component(component: str) -> Component:
    params: dict[str, str] = {}
    effects: list[str] = []
    for param in component.split(","):
        match = _PARAM.match(param)
        if match is None:
            raise ActionError(f"{param!r} is not a known parameter")
        key, value = match.groups()
        if key not in RESIZE_KEYS and key not in OUTPUT_KEYS and key not in _ACTION_KEYS:
            raise ActionError(f"{key}_ is not a supported parameter")
        if key == "e":
            effects.append(value)
            continue
        if key in params:
            raise ActionError(
                f"{key}_ is given twice in one component; Cloudinary keeps only the last,"
                f" so write one {key}_ per component and chain the components with /"
            )
        params[key] = value
    return Component(params, effects)


def _resize(params: dict[str, str]) -> Action:
    op: dict[str, Any] = {"op": "resize"}
    for key, value in params.items():
        field = RESIZE_KEYS[key]
        op[field] = _integer(f"{key}_{value}", value, field) if key in ("w", "h") else value
    return Action(params, op)


def _effect(value: str) -> Action:
    name, _, strength = value.partition(":")
    op: dict[str, Any] = {"op": "effect", "name": name}
    if strength:
        op["strength"] = _integer(f"e_{value}", strength, f"{name} strength")
    return Action({"e": value}, op)


def _radius(value: str) -> Action:
    radius = "max" if value == "max" else _integer(f"r_{value}", value, "radius")
    return Action({"r": value}, {"op": "radius", "value": radius})


def _border(value: str) -> Action:
    border = _BORDER.match(value)
    if border is None:
        raise ActionError(f"bo_{value}: a border is written bo_<width>px_solid_<color>")
    op = {"op": "border", "width": int(border.group(1)), "color": border.group(2)}
    return Action({"bo": value}, op)


def _angles(value: str) -> list[Action]:
    """a_90, a_hflip, or several applied in turn as the SDK joins them: a_hflip.90."""
    actions = []
    for mode in value.split("."):
        if mode in ("hflip", "vflip"):
            direction = "horizontal" if mode == "hflip" else "vertical"
            actions.append(Action({"a": mode}, {"op": "flip", "direction": direction}))
        else:
            angle = _integer(f"a_{mode}", mode, "an angle other than hflip and vflip")
            actions.append(Action({"a": mode}, {"op": "rotate", "angle": angle}))
    return actions


def component_actions(component: Component) -> list[Action]:
    """The component's actions in the order Cloudinary applies them."""
    params = component.params
    actions = []
    resize = {key: value for key, value in params.items() if key in RESIZE_KEYS}
    if resize:
        actions.append(_resize(resize))
    actions.extend(_effect(effect) for effect in component.effects)
    if "r" in params:
        actions.append(_radius(params["r"]))
    if "bo" in params:
        actions.append(_border(params["bo"]))
    if "a" in params:
        actions.extend(_angles(params["a"]))
    return actions


def output_action(params: dict[str, str]) -> Action:
    """The format operation the f_ and q_ of a whole transformation stand for."""
    quality = params.get("q", "auto")
    op = {
        "op": "format",
        "format": params.get("f"),
        "quality": quality if quality == "auto" else _integer(f"q_{quality}", quality, "quality"),
    }
    return Action(params, op)
