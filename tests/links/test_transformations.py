"""The transformation model: the string form, the canonical string, the bounds."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photoshare.links.transformations import (
    MAX_OPERATIONS,
    Transformation,
    TransformationError,
    canonical,
    from_operations,
    parse,
)

VALID = [
    "c_fill,w_300,h_300/e_grayscale/r_max",
    "c_scale,w_300",
    "c_fit,w_200,h_100",
    "c_thumb,w_64,h_64,g_auto",
    "c_pad,w_500,h_500,g_north_west",
    "c_crop,w_10,h_20,g_south",
    "a_90/a_hflip/a_vflip",
    "e_sepia:30/e_blur:2000/e_sharpen:1/e_pixelate:200/e_negate",
    "e_brightness:-99/e_contrast:100/e_saturation:-100",
    "r_20",
    "bo_100px_solid_rgb:00ff7f",
    "f_avif,q_1",
    "c_fill,w_800,h_800/e_grayscale/r_max/f_png,q_auto",
]


@pytest.mark.parametrize("text", VALID)
def test_valid_strings_round_trip(text: str) -> None:
    transformation = parse(text)
    assert parse(canonical(transformation)) == transformation
    assert canonical(parse(canonical(transformation))) == canonical(transformation)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("w_300", "c_scale,w_300"),
        ("c_fill,h_300,w_300", "c_fill,w_300,h_300,g_center"),
        ("a_-90", "a_270"),
        ("e_blur", "e_blur:100"),
        ("bo_4px_solid_red", "bo_4px_solid_rgb:FF0000"),
        ("f_png/e_negate", "e_negate/f_png,q_auto"),
    ],
)
def test_equal_transformations_have_equal_strings(one: str, other: str) -> None:
    assert canonical(parse(one)) == canonical(parse(other))


def test_json_and_string_forms_agree() -> None:
    operations = [
        {"op": "resize", "width": 300, "height": 300, "crop": "fill"},
        {"op": "effect", "name": "grayscale"},
        {"op": "radius", "value": "max"},
        {"op": "border", "width": 2, "color": "#0000FF"},
        {"op": "flip", "direction": "horizontal"},
        {"op": "rotate", "angle": -360},
        {"op": "format", "format": "webp", "quality": 70},
    ]
    text = "c_fill,w_300,h_300/e_grayscale/r_max/bo_2px_solid_blue/a_hflip/a_0/f_webp,q_70"
    assert from_operations(operations) == parse(text)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("x_12", "x_ is not a supported operation"),
        ("w_300/../../etc", "'..'"),
        ("e_blur:999999", "blur strength must be between 1 and 2000"),
        ("/".join(["a_90"] * 100), f"at most {MAX_OPERATIONS} operations"),
        ("w_0", "width"),
        ("w_4001", "width"),
        ("a_361", "angle"),
        ("r_2001", "radius"),
        ("bo_101px_solid_red", "border"),
        ("bo_5px_solid_notacolour", "notacolour"),
        ("bo_5px_dashed_red", "bo_<width>px_solid_<color>"),
        ("e_grayscale:5", "takes no strength"),
        ("e_emboss", "effect"),
        ("c_fill,w_300", "needs both width and height"),
        ("c_fit,w_10,g_north", "gravity applies"),
        ("c_banana,w_10", "crop"),
        ("f_gif", "format"),
        ("f_png,q_0", "quality"),
        ("f_png/f_jpg", "only once"),
        ("w_300,e_blur", "do not combine"),
        ("w_1e3", "whole number"),
        ("w_300,w_400", "twice"),
        ("", "empty"),
        ("c_fill,w_300,h_300//r_max", "empty component"),
        ("$where_1", "not a known parameter"),
        ("w_300;drop", "not a known parameter"),
    ],
)
def test_bad_strings_name_the_problem(text: str, named: str) -> None:
    with pytest.raises(TransformationError) as error:
        parse(text)
    assert named in str(error.value)


@pytest.mark.parametrize(
    "operations",
    [
        [],
        [{"op": "resize"}],
        [{"op": "effect", "name": "blur", "strength": 999999}],
        [{"op": "nope"}],
        [{"op": "rotate", "angle": {"$gt": 0}}],
        {"$gt": ""},
        [{"op": "radius", "value": "min"}],
        [{"op": "resize", "width": 10, "extra": 1}],
        [{"op": "rotate", "angle": 90}] * 11,
    ],
)
def test_bad_operations_are_refused(operations: object) -> None:
    with pytest.raises(TransformationError):
        from_operations(operations)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        result = parse(text)
    except TransformationError:
        return
    assert isinstance(result, Transformation)
    assert parse(canonical(result)) == result


_PIECES = st.sampled_from(
    [
        "c_fill",
        "c_fit",
        "c_pad",
        "w_",
        "h_",
        "g_auto",
        "g_north",
        "a_",
        "e_blur",
        "e_sepia",
        "e_grayscale",
        ":",
        "r_",
        "r_max",
        "bo_",
        "px_solid_",
        "red",
        "rgb:",
        "f_png",
        "q_",
        ",",
        "/",
        "0",
        "1",
        "9",
        "-",
        "300",
        "99999999999",
        "_",
        "..",
    ]
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES, max_size=25).map("".join))
def test_near_miss_strings_parse_or_fail_cleanly(text: str) -> None:
    try:
        result = parse(text)
    except TransformationError:
        return
    assert parse(canonical(result)) == result


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    ["op", "width", "height", "crop", "name", "strength", "value", "$gt"]
                ),
                children,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_any_json_validates_or_fails_cleanly(value: object) -> None:
    with contextlib.suppress(TransformationError):
        from_operations(value)
