"""The catalogue's bounds are the ones the transformation models enforce."""

from __future__ import annotations

from typing import Any

import pytest

from photoshare.links import presets
from photoshare.links.transformations import EFFECT_STRENGTH, TransformationError, from_operations

# A valid operation of each kind to set one bounded field on (format: quality counts for jpg).
BASES: dict[str, dict[str, Any]] = {
    "resize": {"op": "resize", "width": 10, "height": 10, "crop": "fill"},
    "rotate": {"op": "rotate", "angle": 0},
    "radius": {"op": "radius", "value": 1},
    "border": {"op": "border", "width": 1, "color": "#000000"},
    "format": {"op": "format", "format": "jpg"},
}
BOUNDED = [
    (op, name, field)
    for op, entry in presets.catalogue()["operations"].items()
    for name, field in entry["fields"].items()
    if "min" in field
]


def accepts(operation: dict[str, Any]) -> bool:
    try:
        from_operations([operation])
    except TransformationError:
        return False
    return True


def test_every_bounded_field_is_checked() -> None:
    assert {(op, name) for op, name, _ in BOUNDED} == {
        ("resize", "width"),
        ("resize", "height"),
        ("rotate", "angle"),
        ("radius", "value"),
        ("border", "width"),
        ("format", "quality"),
    }


@pytest.mark.parametrize(("op", "name", "field"), BOUNDED, ids=lambda v: str(v)[:20])
def test_catalogue_bounds_are_where_the_model_stops_accepting(
    op: str, name: str, field: dict[str, Any]
) -> None:
    low, high = field["min"], field["max"]
    assert accepts({**BASES[op], name: low})
    assert accepts({**BASES[op], name: high})
    assert not accepts({**BASES[op], name: low - 1})
    assert not accepts({**BASES[op], name: high + 1})
    if "or" in field:
        assert accepts({**BASES[op], name: field["or"]})


def test_catalogue_resize_bounds() -> None:
    fields = presets.catalogue()["operations"]["resize"]["fields"]
    assert fields["width"] == {"min": 1, "max": 4000}
    assert fields["crop"]["default"] == "scale"
    assert presets.catalogue()["operations"]["radius"]["fields"]["value"] == {
        "min": 1,
        "max": 2000,
        "or": "max",
    }


@pytest.mark.parametrize("effect", sorted(EFFECT_STRENGTH))
def test_catalogue_effect_strengths_are_the_accepted_range(effect: str) -> None:
    strength = presets.catalogue()["operations"]["effect"]["effects"][effect]["strength"]
    base = {"op": "effect", "name": effect}
    assert accepts({**base, "strength": strength["min"]})
    assert accepts({**base, "strength": strength["max"]})
    assert not accepts({**base, "strength": strength["min"] - 1})
    assert not accepts({**base, "strength": strength["max"] + 1})
    assert (
        from_operations([base]).root[0]
        == from_operations([{**base, "strength": strength["default"]}]).root[0]
    )
