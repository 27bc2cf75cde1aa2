"""The local renderer, judged by what the rendered files look like when opened with Pillow."""

from __future__ import annotations

from pathlib import Path

import pytest
import pyvips
from PIL import Image, ImageStat

from photoshare.links.renderer import output_type, render
from photoshare.links.transformations import Format, Rotate, Transformation, parse

RED = (220, 30, 30)
BLUE = (30, 60, 200)
WHITE = (255, 255, 255)

# ---------------------------------------------------------------------------
# Shared helpers: source images, rendering, reading the result


def quadrant_jpeg(path: Path, size: tuple[int, int] = (640, 480)) -> Path:
    """A blue JPEG whose top-left quadrant is red."""
    width, height = size
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, width // 2, height // 2))
    image.save(path, "JPEG", quality=95)
    return path


def solid_png(path: Path, color: tuple[int, ...], size: tuple[int, int] = (64, 48)) -> Path:
    Image.new("RGBA" if len(color) == 4 else "RGB", size, color).save(path, "PNG")
    return path


def noise_png(path: Path, size: tuple[int, int] = (200, 200)) -> Path:
    """Colourful noise: neighbouring pixels differ a lot."""
    bands = [Image.effect_noise(size, 90) for _ in range(3)]
    Image.merge("RGB", bands).save(path, "PNG")
    return path


def rendered(source: Path, text: str, source_format: str = "jpeg") -> Path:
    """Render `text` on `source` into a file next to it, named for the output type."""
    transformation = parse(text)
    kind = output_type(transformation, source_format)
    target = source.with_name(f"{source.stem}-out.{kind.extension}")
    render(source, transformation, target, source_format=source_format)
    return target


def opened(path: Path) -> Image.Image:
    with Image.open(path) as image:
        image.load()
        return image.copy()


def close(pixel: tuple[int, ...], color: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=False))


def mean(image: Image.Image) -> float:
    return sum(ImageStat.Stat(image.convert("RGB")).mean) / 3


def neighbour_difference(image: Image.Image) -> float:
    """The mean absolute difference between horizontally adjacent grey levels."""
    grey = image.convert("L")
    width, height = grey.size
    pixels = grey.load()
    total = sum(
        abs(pixels[x, y] - pixels[x + 1, y]) for y in range(height) for x in range(width - 1)
    )
    return total / ((width - 1) * height)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    return quadrant_jpeg(tmp_path / "photo.jpg")


# ---------------------------------------------------------------------------
# Resize


def test_fill_gives_exactly_the_box(photo: Path) -> None:
    assert opened(rendered(photo, "c_fill,w_300,h_300")).size == (300, 300)


@pytest.mark.parametrize("gravity", ["center", "auto", "north", "south_east", "west"])
def test_fill_and_thumb_give_exactly_the_box_at_any_gravity(photo: Path, gravity: str) -> None:
    for crop in ("fill", "thumb"):
        assert opened(rendered(photo, f"c_{crop},w_300,h_200,g_{gravity}")).size == (300, 200)


@pytest.mark.parametrize(("gravity", "expected"), [("west", RED), ("east", BLUE)])
def test_fill_cuts_at_the_gravity(
    photo: Path, gravity: str, expected: tuple[int, int, int]
) -> None:
    # Covering 300x300 scales 640x480 to 400x300: west keeps x 0..300, east x 100..400.
    result = opened(rendered(photo, f"c_fill,w_300,h_300,g_{gravity}"))
    assert close(result.getpixel((150, 10)), expected)


def test_fill_upscales(tmp_path: Path) -> None:
    small = quadrant_jpeg(tmp_path / "small.jpg", (64, 48))
    assert opened(rendered(small, "c_fill,w_500,h_500")).size == (500, 500)


def test_fit_keeps_the_aspect_ratio(photo: Path) -> None:
    assert opened(rendered(photo, "c_fit,w_200,h_200")).size == (200, 150)


@pytest.mark.parametrize(
    ("text", "size"),
    [("c_scale,w_320", (320, 240)), ("c_scale,h_120", (160, 120)), ("w_64", (64, 48))],
)
def test_scale_with_one_side_keeps_the_aspect_ratio(
    photo: Path, text: str, size: tuple[int, int]
) -> None:
    assert opened(rendered(photo, text)).size == size


def test_scale_with_both_sides_distorts(photo: Path) -> None:
    assert opened(rendered(photo, "c_scale,w_100,h_300")).size == (100, 300)


def test_upscaling_stops_at_the_maximum_side(tmp_path: Path) -> None:
    tall = solid_png(tmp_path / "tall.png", BLUE, (100, 1000))
    assert opened(rendered(tall, "c_scale,w_4000", "png")).size == (400, 4000)


def test_pad_gives_the_exact_size_on_white(photo: Path) -> None:
    result = opened(rendered(photo, "c_pad,w_300,h_300"))
    assert result.size == (300, 300)
    # 640x480 fits as 300x225, centred: white bands above and below.
    assert close(result.getpixel((150, 5)), WHITE, 10)
    assert close(result.getpixel((10, 60)), RED)


def test_pad_on_an_image_with_alpha_is_transparent(tmp_path: Path) -> None:
    source = solid_png(tmp_path / "alpha.png", (*RED, 255), (200, 100))
    result = opened(rendered(source, "c_pad,w_100,h_100,g_north/f_png", "png"))
    assert result.size == (100, 100)
    assert result.mode == "RGBA"
    assert result.getpixel((50, 10))[3] == 255
    assert result.getpixel((50, 90))[3] == 0


def test_crop_cuts_without_scaling(photo: Path) -> None:
    result = opened(rendered(photo, "c_crop,w_100,h_100,g_north_west"))
    assert result.size == (100, 100)
    # The red quadrant is 320x240: an unscaled 100x100 corner is red throughout.
    assert close(result.getpixel((99, 99)), RED)
    south_east = opened(rendered(photo, "c_crop,w_100,h_100,g_south_east"))
    assert close(south_east.getpixel((0, 0)), BLUE)


def test_crop_is_clamped_to_the_image(photo: Path) -> None:
    assert opened(rendered(photo, "c_crop,w_1000,h_100")).size == (640, 100)


def test_crop_with_auto_gravity(photo: Path) -> None:
    assert opened(rendered(photo, "c_crop,w_200,h_200,g_auto")).size == (200, 200)


# ---------------------------------------------------------------------------
# Rotate and flip


def test_rotate_90_is_clockwise(photo: Path) -> None:
    result = opened(rendered(photo, "a_90"))
    assert result.size == (480, 640)
    assert close(result.getpixel((470, 10)), RED)
    assert close(result.getpixel((10, 10)), BLUE)


def test_rotate_180_and_270(photo: Path) -> None:
    upside_down = opened(rendered(photo, "a_180"))
    assert upside_down.size == (640, 480)
    assert close(upside_down.getpixel((630, 470)), RED)
    anticlockwise = opened(rendered(photo, "a_-90"))
    assert anticlockwise.size == (480, 640)
    assert close(anticlockwise.getpixel((10, 630)), RED)


def test_rotate_45_enlarges_the_canvas_clockwise(photo: Path) -> None:
    result = opened(rendered(photo, "a_45/f_png"))
    # The bounding box of 640x480 turned 45 degrees is about 792 square.
    assert 785 <= result.width <= 800
    assert 785 <= result.height <= 800
    assert close(result.getpixel((0, 0)), WHITE, 5)
    # Clockwise, the top-left corner (red) becomes the top vertex, left of the middle
    # (about x = 396 - (320 - 240) * 0.707 = 339); anticlockwise it would be blue, right.
    assert close(result.getpixel((339, 30)), RED)
    assert close(result.getpixel((452, 30)), WHITE, 5)


def test_flip_horizontal_mirrors(photo: Path) -> None:
    result = opened(rendered(photo, "a_hflip"))
    assert result.size == (640, 480)
    assert close(result.getpixel((630, 10)), RED)
    assert close(result.getpixel((10, 10)), BLUE)


def test_flip_vertical_turns_upside_down(photo: Path) -> None:
    result = opened(rendered(photo, "a_vflip"))
    assert close(result.getpixel((10, 470)), RED)
    assert close(result.getpixel((10, 10)), BLUE)


@pytest.mark.parametrize(
    "text",
    ["a_vflip", "a_270", "a_30", "c_scale,w_800/a_vflip", "c_fill,w_600,h_400/a_90/a_hflip"],
)
def test_out_of_order_operations_work_on_a_large_jpeg(tmp_path: Path, text: str) -> None:
    # Large enough that a sequentially read JPEG would fail an out-of-order read.
    big = quadrant_jpeg(tmp_path / "big.jpg", (2400, 1800))
    assert opened(rendered(big, text)).width > 0


def test_rotate_keeps_transparency(tmp_path: Path) -> None:
    source = solid_png(tmp_path / "alpha.png", (*RED, 255), (100, 60))
    result = opened(rendered(source, "a_30", "png"))
    assert result.mode == "RGBA"
    assert result.width > 100
    assert result.getpixel((0, 0))[3] == 0
    assert result.getpixel((result.width // 2, result.height // 2)) == (*RED, 255)


# ---------------------------------------------------------------------------
# Radius


def test_radius_max_as_png_is_an_ellipse(photo: Path) -> None:
    result = opened(rendered(photo, "r_max/f_png"))
    assert result.mode == "RGBA"
    assert result.size == (640, 480)
    assert result.getpixel((0, 0))[3] == 0
    assert result.getpixel((639, 479))[3] == 0
    assert result.getpixel((320, 240))[3] == 255
    # The ellipse touches every edge in its middle.
    assert result.getpixel((320, 0))[3] == 255
    assert result.getpixel((0, 240))[3] == 255


def test_radius_20_rounds_the_corners_only(photo: Path) -> None:
    result = opened(rendered(photo, "r_20/f_png"))
    assert result.getpixel((0, 0))[3] == 0
    assert result.getpixel((25, 0))[3] == 255
    assert result.getpixel((0, 25))[3] == 255
    assert result.getpixel((320, 240))[3] == 255


def test_radius_combines_with_an_existing_alpha(tmp_path: Path) -> None:
    source = solid_png(tmp_path / "half.png", (*RED, 128), (100, 100))
    result = opened(rendered(source, "r_max", "png"))
    assert result.getpixel((0, 0))[3] == 0
    assert result.getpixel((50, 50))[3] == 128


def test_a_jpeg_with_rounded_corners_has_white_corners(photo: Path) -> None:
    path = rendered(photo, "r_max")
    assert path.read_bytes()[:3] == b"\xff\xd8\xff"
    result = opened(path)
    assert result.mode == "RGB"
    assert close(result.getpixel((0, 0)), WHITE, 8)


# ---------------------------------------------------------------------------
# Effects


def test_grayscale_has_equal_channels(photo: Path) -> None:
    result = opened(rendered(photo, "e_grayscale/f_png"))
    assert result.mode == "L"  # a grey result is stored in one band
    result = result.convert("RGB")
    for xy in [(10, 10), (600, 400), (320, 240), (100, 400)]:
        red, green, blue = result.getpixel(xy)
        assert red == green == blue


def test_grayscale_keeps_alpha(tmp_path: Path) -> None:
    source = solid_png(tmp_path / "alpha.png", (*RED, 100))
    result = opened(rendered(source, "e_grayscale", "png"))
    assert result.mode == "LA"
    red, green, blue, alpha = result.convert("RGBA").getpixel((5, 5))
    assert red == green == blue
    assert alpha == 100


def test_colour_added_after_grayscale_is_kept(photo: Path) -> None:
    result = opened(rendered(photo, "e_grayscale/bo_10px_solid_red/f_png"))
    assert result.mode == "RGB"
    assert result.getpixel((0, 0)) == (255, 0, 0)
    sepia = opened(rendered(photo, "e_grayscale/e_sepia/f_png"))
    assert sepia.mode == "RGB"


def test_sepia_tints_grey_brown(tmp_path: Path) -> None:
    grey = solid_png(tmp_path / "grey.png", (128, 128, 128))
    red, green, blue = opened(rendered(grey, "e_sepia", "png")).getpixel((5, 5))
    assert red > green > blue


def test_negate_turns_white_black(tmp_path: Path) -> None:
    white = solid_png(tmp_path / "white.png", WHITE)
    assert opened(rendered(white, "e_negate", "png")).getpixel((5, 5)) == (0, 0, 0)


def test_pixelate_makes_blocks_of_one_colour(tmp_path: Path) -> None:
    noise = noise_png(tmp_path / "noise.png", (95, 95))
    result = opened(rendered(noise, "e_pixelate:10", "png"))
    assert result.size == (95, 95)
    for left, top in [(0, 0), (10, 0), (40, 70), (90, 90)]:
        block = {
            result.getpixel((x, y))
            for x in range(left, min(left + 10, 95))
            for y in range(top, min(top + 10, 95))
        }
        assert len(block) == 1
    assert len({result.getpixel((x, 0)) for x in range(0, 95, 10)}) > 1


def test_blur_smooths_noise(tmp_path: Path) -> None:
    noise = noise_png(tmp_path / "noise.png")
    before = neighbour_difference(opened(noise))
    after = neighbour_difference(opened(rendered(noise, "e_blur:200", "png")))
    assert after < before / 3


def test_sharpen_changes_the_picture(tmp_path: Path) -> None:
    noise = noise_png(tmp_path / "noise.png")
    blurred = rendered(noise, "e_blur:100", "png")
    sharpened = rendered(blurred, "e_sharpen:400", "png")
    assert neighbour_difference(opened(sharpened)) > neighbour_difference(opened(blurred))


def test_brightness_raises_the_mean(photo: Path) -> None:
    assert mean(opened(rendered(photo, "e_brightness:50/f_png"))) > mean(opened(photo)) + 10


def test_negative_brightness_lowers_the_mean(photo: Path) -> None:
    assert mean(opened(rendered(photo, "e_brightness:-50/f_png"))) < mean(opened(photo)) - 10


def test_contrast_spreads_the_levels(photo: Path) -> None:
    before = ImageStat.Stat(opened(photo).convert("L")).stddev[0]
    after = ImageStat.Stat(opened(rendered(photo, "e_contrast:80/f_png")).convert("L")).stddev[0]
    assert after > before * 1.3
    flat = ImageStat.Stat(opened(rendered(photo, "e_contrast:-100/f_png")).convert("L"))
    assert flat.stddev[0] < 2


def test_saturation_changes_the_chroma(tmp_path: Path) -> None:
    muted = solid_png(tmp_path / "muted.png", (150, 110, 100))

    def spread(text: str) -> int:
        pixel = opened(rendered(muted, text, "png")).getpixel((5, 5))
        return max(pixel) - min(pixel)

    assert spread("e_saturation:100") > 50 + 10
    assert spread("e_saturation:-100") <= 2


# ---------------------------------------------------------------------------
# Border


def test_border_grows_every_side_in_the_colour(photo: Path) -> None:
    result = opened(rendered(photo, "bo_10px_solid_rgb:00ff00/f_png"))
    assert result.size == (660, 500)
    assert result.getpixel((0, 0)) == (0, 255, 0)
    assert result.getpixel((659, 499)) == (0, 255, 0)
    assert close(result.getpixel((15, 15)), RED)


def test_border_on_transparency_is_opaque(tmp_path: Path) -> None:
    source = solid_png(tmp_path / "clear.png", (0, 0, 0, 0))
    result = opened(rendered(source, "bo_4px_solid_blue", "png"))
    assert result.size == (72, 56)
    assert result.getpixel((0, 0)) == (0, 0, 255, 255)
    assert result.getpixel((30, 30))[3] == 0


# ---------------------------------------------------------------------------
# Output formats


def test_webp_output(photo: Path) -> None:
    data = rendered(photo, "c_fit,w_100/f_webp").read_bytes()
    assert data[:4] == b"RIFF"
    assert data[8:12] == b"WEBP"


def test_avif_output(photo: Path) -> None:
    path = rendered(photo, "c_fit,w_100/f_avif")
    assert path.suffix == ".avif"
    assert path.read_bytes()[4:12] == b"ftypavif"


def test_png_output(photo: Path) -> None:
    assert rendered(photo, "a_hflip/f_png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_a_format_a_jpeg_stays_a_jpeg(photo: Path) -> None:
    path = rendered(photo, "c_fill,w_50,h_50")
    assert path.suffix == ".jpg"
    assert path.read_bytes()[:3] == b"\xff\xd8\xff"


def test_without_a_format_a_png_stays_a_png(tmp_path: Path) -> None:
    source = solid_png(tmp_path / "source.png", BLUE)
    path = rendered(source, "e_negate", "png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_quality_is_applied(tmp_path: Path) -> None:
    noise = noise_png(tmp_path / "noise.png")
    low = rendered(noise, "f_jpg,q_10", "png").stat().st_size
    high = rendered(noise, "f_jpg,q_95", "png").stat().st_size
    assert low < high / 2


@pytest.mark.parametrize(
    ("text", "source_format", "expected"),
    [
        ("a_90", "jpeg", ("jpg", "image/jpeg")),
        ("a_90", "png", ("png", "image/png")),
        ("a_90", "webp", ("webp", "image/webp")),
        ("a_90", "avif", ("avif", "image/avif")),
        ("f_png", "jpeg", ("png", "image/png")),
        ("f_jpg,q_50", "png", ("jpg", "image/jpeg")),
        ("f_webp/a_90", "jpeg", ("webp", "image/webp")),
        ("r_max/f_avif", "png", ("avif", "image/avif")),
    ],
)
def test_output_type(text: str, source_format: str, expected: tuple[str, str]) -> None:
    out = output_type(parse(text), source_format)
    assert (out.extension, out.content_type) == expected


def test_a_format_built_out_of_place_still_counts(photo: Path) -> None:
    # Transformation(...) skips the validator that moves the format last.
    transformation = Transformation(root=(Format(format="png"), Rotate(angle=90)))
    assert output_type(transformation, "jpeg").extension == "png"
    target = photo.with_name("out.png")
    render(photo, transformation, target, source_format="jpeg")
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_output_type_rejects_an_unknown_source_format() -> None:
    with pytest.raises(ValueError, match="gif"):
        output_type(parse("a_90"), "gif")


# ---------------------------------------------------------------------------
# Sources that are not 8-bit sRGB


@pytest.mark.parametrize(
    ("mode", "color", "suffix"),
    [("L", 100, "jpg"), ("LA", (100, 255), "png"), ("I;16", 30000, "png"), ("CMYK", None, "jpg")],
)
@pytest.mark.parametrize("text", ["e_sepia", "c_pad,w_40,h_40", "a_45", "r_max/f_png"])
def test_any_source_is_rendered_in_srgb(
    tmp_path: Path, mode: str, color: int | tuple[int, ...] | None, suffix: str, text: str
) -> None:
    source = tmp_path / f"source.{suffix}"
    Image.new(mode, (30, 20), color or (10, 100, 50, 20)).save(source)
    result = opened(rendered(source, text, "jpeg" if suffix == "jpg" else "png"))
    assert result.mode in ("RGB", "RGBA")


# ---------------------------------------------------------------------------
# Chains and failures


def test_a_chain_of_operations(photo: Path) -> None:
    result = opened(rendered(photo, "c_fill,w_300,h_300/e_grayscale/r_max/f_png"))
    assert result.size == (300, 300)
    assert result.mode == "LA"
    result = result.convert("RGBA")
    for corner in [(0, 0), (299, 0), (0, 299), (299, 299)]:
        assert result.getpixel(corner)[3] == 0
    red, green, blue, alpha = result.getpixel((150, 150))
    assert red == green == blue
    assert alpha == 255


def test_a_broken_source_raises_and_leaves_no_file(tmp_path: Path) -> None:
    source = tmp_path / "broken.jpg"
    source.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    target = tmp_path / "out.jpg"
    with pytest.raises(pyvips.Error):
        render(source, parse("c_fill,w_10,h_10"), target, source_format="jpeg")
    with pytest.raises(pyvips.Error):
        render(source, parse("a_90"), target, source_format="jpeg")
    assert not target.exists()
