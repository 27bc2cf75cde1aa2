"""Render plans: every step's size, known before rendering, and kept within the bounds."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import pyvips
from hypothesis import given, settings
from hypothesis import strategies as st

from photoshare.links.plan import (
    RenderPlan,
    TransformationTooLarge,
    plan,
    shrinks_on_load,
    within_bounds,
)
from photoshare.links.renderer import output_type, render
from photoshare.links.transformations import MAX_PIXELS, MAX_SIDE, from_operations, parse
from tests.links.test_renderer import BLUE, RED, close, opened, quadrant_jpeg, rendered

ISSUE_CHAIN = "c_scale,w_4000,h_4000/a_45/a_45/a_45/a_45/a_45/a_45"


def sizes(result: RenderPlan) -> list[tuple[int, int]]:
    return [(step.width, step.height) for step in result.steps]


def test_the_rotation_chain_is_refused_naming_its_first_turn() -> None:
    with pytest.raises(TransformationTooLarge) as refused:
        plan(4000, 3000, parse(ISSUE_CHAIN))
    message = str(refused.value)
    assert "operation 2 (a_45)" in message
    assert "5657x5657" in message
    assert f"{MAX_SIDE} pixels a side" in message


def test_the_operations_are_refused_whatever_the_photo() -> None:
    # A 4000 px square turned 45 degrees passes the bounds even from a tiny photo.
    for width, height in [(1, 1), (100, 100), (4000, 3000), (12000, 3000)]:
        with pytest.raises(TransformationTooLarge, match="operation 2"):
            plan(width, height, parse("c_fill,w_4000,h_4000/a_45"))
    with pytest.raises(TransformationTooLarge, match=r"operation 3 \(bo_100px"):
        plan(100, 100, parse("c_scale,w_4000/e_grayscale/bo_100px_solid_red"))


def test_one_turn_of_a_large_photo_starts_from_a_smaller_copy() -> None:
    result = plan(4000, 3000, parse("a_45"))
    assert result.scaled_into is not None
    assert (result.width, result.height) == (3232, 2424)
    [(width, height)] = sizes(result)
    # As large as the bounds allow: the copy is scaled down no more than needed.
    assert 3990 <= width <= MAX_SIDE
    assert 3990 <= height <= MAX_SIDE


def test_a_photo_past_the_bounds_is_scaled_into_them() -> None:
    result = plan(8000, 6000, parse("e_grayscale"))
    assert (result.width, result.height) == (4000, 3000)
    assert result.size == (4000, 3000)


def test_a_border_on_a_photo_at_the_bounds_shrinks_the_photo_by_the_border() -> None:
    result = plan(4000, 3000, parse("bo_100px_solid_red"))
    assert (result.width, result.height) == (3800, 2850)
    assert result.size == (4000, 3050)


def test_a_crop_depends_on_the_photo_so_the_photo_is_scaled() -> None:
    result = plan(4000, 3000, parse("c_crop,w_4000,h_4000/a_45"))
    assert result.scaled_into is not None
    assert max(result.size) <= MAX_SIDE


def test_a_photo_within_the_bounds_is_used_as_it_is() -> None:
    result = plan(640, 480, parse("a_45/bo_10px_solid_red/c_fill,w_300,h_200"))
    assert result.scaled_into is None
    assert sizes(result) == [(792, 792), (812, 812), (300, 200)]


def test_a_leading_resize_reads_any_photo_at_its_own_size() -> None:
    result = plan(20000, 2500, parse("c_fit,w_800,h_800/a_90"))
    assert result.scaled_into is None
    assert sizes(result) == [(800, 100), (100, 800)]


# ---------------------------------------------------------------------------
# Properties


_BIG_OPERATION = st.one_of(
    st.builds(
        lambda crop, width, height: {
            "op": "resize",
            "crop": crop,
            "width": width,
            "height": height,
        },
        st.sampled_from(["scale", "fit", "fill", "pad", "crop"]),
        st.integers(1, MAX_SIDE),
        st.integers(1, MAX_SIDE),
    ),
    st.builds(lambda width: {"op": "resize", "width": width}, st.integers(1, MAX_SIDE)),
    st.builds(lambda angle: {"op": "rotate", "angle": angle}, st.integers(-360, 360)),
    st.builds(lambda width: {"op": "border", "width": width, "color": "red"}, st.integers(1, 100)),
    st.just({"op": "effect", "name": "grayscale"}),
)


@settings(max_examples=500, deadline=None)
@given(
    st.integers(1, 20000),
    st.integers(1, 20000),
    st.lists(_BIG_OPERATION, min_size=1, max_size=6),
)
def test_a_plan_stays_within_the_bounds_or_names_an_operation_past_them(
    width: int, height: int, operations: list[dict[str, Any]]
) -> None:
    transformation = from_operations(operations)
    try:
        result = plan(width, height, transformation)
    except TransformationTooLarge as refused:
        step = refused.step
        assert not within_bounds(step.width, step.height)
        if not shrinks_on_load(transformation.root):
            # Refused only when the operations themselves ask for it: a tiny photo is too.
            with pytest.raises(TransformationTooLarge):
                plan(1, 1, transformation)
        return
    if not shrinks_on_load(transformation.root):
        # (A leading resize reads the photo at its output size: the photo is never an image.)
        assert within_bounds(result.width, result.height)
    for step in result.steps:
        assert step.width <= MAX_SIDE and step.height <= MAX_SIDE
        assert step.width * step.height <= MAX_PIXELS
    if result.scaled_into is None:
        assert (result.width, result.height) == (width, height)
    else:
        assert result.width < width or result.height < height


_SMALL_OPERATION = st.one_of(
    st.builds(
        lambda crop, width, height, gravity: {
            "op": "resize",
            "crop": crop,
            "width": width,
            "height": height,
            **({"gravity": gravity} if crop in ("fill", "pad", "crop") else {}),
        },
        st.sampled_from(["scale", "fit", "fill", "thumb", "pad", "crop"]),
        st.integers(1, 160),
        st.integers(1, 160),
        st.sampled_from(["center", "north_east", "south", "west"]),
    ),
    st.builds(lambda height: {"op": "resize", "height": height}, st.integers(1, 160)),
    st.builds(lambda angle: {"op": "rotate", "angle": angle}, st.integers(-360, 360)),
    st.builds(lambda width: {"op": "border", "width": width, "color": "blue"}, st.integers(1, 8)),
    st.just({"op": "effect", "name": "pixelate", "strength": 7}),
    st.just({"op": "radius", "value": "max"}),
    st.just({"op": "flip", "direction": "vertical"}),
)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 120),
    st.integers(1, 120),
    st.lists(_SMALL_OPERATION, min_size=1, max_size=4),
)
def test_the_planned_size_is_the_rendered_size(
    width: int, height: int, operations: list[dict[str, Any]]
) -> None:
    transformation = from_operations(operations)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "photo.png"
        pyvips.Image.black(width, height, bands=3).linear(1, [200, 40, 40]).cast("uchar").pngsave(
            str(source)
        )
        target = Path(folder) / f"out.{output_type(transformation, 'png').extension}"
        try:
            planned_width, planned_height = plan(width, height, transformation).size
        except TransformationTooLarge:
            # Past the bounds (a 1 px tall photo scaled to 4000 px wide, then turned):
            # the renderer refuses it too, before rendering anything.
            with pytest.raises(TransformationTooLarge):
                render(source, transformation, target, source_format="png")
            assert not target.exists()
            return
        render(source, transformation, target, source_format="png")
        rendered = pyvips.Image.new_from_file(str(target))
        # libvips' resize may round a scaled side once more than the plan does.
        assert abs(rendered.width - planned_width) <= 1
        assert abs(rendered.height - planned_height) <= 1


# ---------------------------------------------------------------------------
# The renderer follows the plan


def test_the_renderer_refuses_operations_past_the_bounds(tmp_path: Path) -> None:
    source = tmp_path / "photo.png"
    pyvips.Image.black(40, 30, bands=3).pngsave(str(source))
    target = tmp_path / "out.png"
    with pytest.raises(TransformationTooLarge, match="operation 2"):
        render(source, parse(ISSUE_CHAIN), target, source_format="png")
    assert not target.exists()


@pytest.mark.parametrize(("gravity", "top", "bottom"), [("west", RED, BLUE), ("east", BLUE, BLUE)])
def test_filling_a_box_from_a_far_wider_photo_cuts_its_shape_first(
    tmp_path: Path, gravity: str, top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> None:
    # Covering 400x400 would scale 2000x50 to 16000x400, past the bounds: the 50x50 square
    # at the gravity is cut out and scaled up instead. The top-left quadrant is red.
    wide = quadrant_jpeg(tmp_path / "wide.jpg", (2000, 50))
    result = opened(rendered(wide, f"c_fill,w_400,h_400,g_{gravity}"))
    assert result.size == (400, 400)
    assert close(result.getpixel((200, 40)), top)
    assert close(result.getpixel((200, 360)), bottom)
