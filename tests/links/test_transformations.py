"""The transformation model: the string form, the canonical string, the bounds."""

from __future__ import annotations

import contextlib
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photoshare.links.transformations import (
    MAX_OPERATIONS,
    Format,
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
    "q_60",
    "q_auto",
    # What Cloudinary's SDK and documentation write: several actions in one component.
    "c_fill,e_sepia,h_300,r_20,w_300",
    "a_90,e_grayscale",
    "c_scale,f_webp,q_auto,w_300",
    "bo_5px_solid_rgb:c22c33,c_fill,h_246,q_80,r_5,w_470",
    "c_fill,g_auto,w_400,h_300/f_webp/q_auto",
    "e_brightness:-50,w_300",
    "a_hflip.90,bo_1px_solid_rgb:c23,c_pad,e_negate,g_east,h_9,r_max,w_8",
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
        ("bo_4px_solid_rgb:f00", "bo_4px_solid_rgb:ff0000"),
        ("bo_4px_solid_rgb:C22C33", "bo_4px_solid_#c22c33"),
        ("f_png/e_negate", "e_negate/f_png,q_auto"),
        ("f_webp/q_60", "q_60,f_webp"),
        ("w_300/q_auto", "w_300"),
        ("f_png,q_60", "f_png"),
        # A component's actions run in Cloudinary's order: resize, effect, radius, border, angle.
        ("c_fill,e_sepia,h_300,r_20,w_300", "c_fill,w_300,h_300/e_sepia/r_20"),
        ("a_90,e_grayscale", "e_grayscale/a_90"),
        ("c_scale,f_webp,q_auto,w_300", "c_scale,w_300/f_webp,q_auto"),
        (
            "bo_5px_solid_rgb:c22c33,c_fill,h_246,q_80,r_5,w_470",
            "c_fill,w_470,h_246/r_5/bo_5px_solid_rgb:c22c33/q_80",
        ),
        ("c_fill,g_auto,w_400,h_300/f_webp/q_auto", "c_fill,w_400,h_300,g_auto/f_webp"),
        ("e_brightness:-50,w_300", "w_300/e_brightness:-50"),
        ("a_hflip.90", "a_hflip/a_90"),
        # Several effects in one component apply in the order written.
        ("e_brightness:20,e_contrast:10", "e_brightness:20/e_contrast:10"),
        ("e_contrast:10,w_300,e_brightness:20", "w_300/e_contrast:10/e_brightness:20"),
        ("a_90.hflip,r_max", "r_max/a_90/a_hflip"),
    ],
)
def test_equal_transformations_have_equal_strings(one: str, other: str) -> None:
    assert canonical(parse(one)) == canonical(parse(other))


def test_the_order_of_parameters_in_a_component_does_not_matter() -> None:
    params = ["bo_5px_solid_rgb:c22c33", "c_fill", "h_246", "q_80", "r_5", "w_470", "e_sepia"]
    expected = "c_fill,w_470,h_246/e_sepia:80/r_5/bo_5px_solid_rgb:c22c33/q_80"
    for order in itertools.permutations(params):
        assert canonical(parse(",".join(order))) == expected


def test_quality_alone_keeps_the_photos_format() -> None:
    [output] = parse("q_60").root
    assert output == Format(quality=60)
    assert canonical(parse("c_scale,q_60,w_300")) == "c_scale,w_300/q_60"


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
    assert from_operations([{"op": "border", "width": 2, "color": "rgb:00f"}]) == parse(
        "bo_2px_solid_blue"
    )


def _culprit(error: TransformationError) -> str:
    """The message past the component it is about: what it blames comes first."""
    return str(error).split("): ", 1)[-1]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("x_12", "x_ is not a supported parameter"),
        ("c_fill,h_300,w_300,x_12", "x_ is not a supported parameter"),
        ("w_300/../../etc", "'..' is not a known parameter"),
        ("e_blur:999999", "e_blur:999999: blur strength must be between 1 and 2000"),
        ("e_blur:x", "e_blur:x: blur strength must be a whole number"),
        ("/".join(["a_90"] * 100), f"a transformation has at most {MAX_OPERATIONS} operations"),
        ("w_0", "w_0: width should be greater than or equal to 1"),
        ("w_4001", "w_4001: width should be less than or equal to 4000"),
        ("c_fill,e_sepia,h_300,r_20,w_5000", "w_5000: width"),
        ("c_fill,e_sepia:101,h_300,r_20,w_300", "e_sepia:101: sepia strength"),
        ("c_fill,e_sepia,h_300,r_2001,w_300", "r_2001: value should be less than"),
        ("a_361", "a_361: angle"),
        ("a_hflip.400", "a_400: angle"),
        ("a_auto_right", "a_auto_right: an angle other than hflip and vflip"),
        ("r_2001", "r_2001: value"),
        ("bo_101px_solid_red", "bo_101px_solid_red: width"),
        ("bo_5px_solid_notacolour", "bo_5px_solid_notacolour: color 'notacolour'"),
        ("bo_5px_solid_rgb:12345", "bo_5px_solid_rgb:12345: color 'rgb:12345'"),
        ("bo_5px_dashed_red", "bo_5px_dashed_red: a border is written bo_<width>px_solid_<color>"),
        ("e_grayscale:5", "e_grayscale:5: effect 'grayscale' takes no strength"),
        ("e_emboss", "e_emboss: name should be"),
        ("c_fill,w_300", "c_fill: resize with crop 'fill' needs both width and height"),
        ("c_fill,e_sepia,r_20,w_300", "c_fill: resize with crop 'fill' needs"),
        ("c_fit,w_10,g_north", "g_north: gravity applies to crop modes"),
        ("c_banana,w_10", "c_banana: crop should be"),
        ("f_gif", "f_gif: format should be"),
        ("f_png,q_0", "q_0: quality should be greater than or equal to 1"),
        ("c_scale,f_webp,q_101,w_300", "q_101: quality should be less than or equal to 100"),
        ("f_png/f_jpg", "f_ may appear only once in a transformation"),
        ("q_60/w_300,q_80", "q_ may appear only once in a transformation"),
        ("e_brightness:20,e_contrast:500", "e_contrast:500: contrast strength must be between"),
        ("w_300,w_400", "w_ is given twice in one component"),
        ("w_1e3", "w_1e3: width must be a whole number"),
        ("", "the transformation is empty"),
        ("c_fill,w_300,h_300//r_max", "empty component"),
        ("$where_1", "'$where_1' is not a known parameter"),
        ("w_300;drop", "'w_300;drop' is not a known parameter"),
    ],
)
def test_bad_strings_name_the_parameter(text: str, named: str) -> None:
    with pytest.raises(TransformationError) as error:
        parse(text)
    assert _culprit(error.value).startswith(named)


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
        ".",
        "hflip",
        "c22",
        "f_webp",
        "q_auto",
        "e_brightness:-",
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
