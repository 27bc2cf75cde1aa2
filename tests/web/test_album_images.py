"""The album's images in a real browser: a feed of camera photos loads as light thumbnails,
each painted first as its BlurHash, and the photo page shows the preview and the camera."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import blurhash
import pytest
import pyvips
from PIL import Image, TiffImagePlugin
from playwright.sync_api import Page, Route, expect

from tests.servers import serving, signed_in
from tests.web.browsers import People, require_chromium

require_chromium()

FEED_SIZE = 24
IMAGE_BUDGET = 1_500_000  # bytes over the wire for every image of a 24-photo feed
PASSWORD = "correct horse 1"
# Camera photos in a few colours, each a tinted ramp under sensor noise, like a real 12-MP JPEG.
TINTS = ((170, 110, 60), (60, 120, 170), (80, 150, 80), (160, 70, 120))
CAMERA = {
    0x010F: "Canon",  # Make
    0x0110: "Canon EOS R5",  # Model
}
SHOT = {
    0x9003: "2024:05:01 18:30:00",  # DateTimeOriginal
    0x9011: "+02:00",  # OffsetTimeOriginal
    0x829A: TiffImagePlugin.IFDRational(1, 250),  # ExposureTime
    0x829D: TiffImagePlugin.IFDRational(28, 10),  # FNumber
    0x8827: 200,  # ISO
    0x920A: TiffImagePlugin.IFDRational(35, 1),  # FocalLength
    0xA434: "RF24-105mm F4 L IS USM",  # LensModel
}

IMAGES_LOADED = """() => [...document.querySelectorAll(".photo-grid img")]
  .every((img) => img.complete && img.naturalWidth > 0)"""
IMAGE_BYTES = """() => performance.getEntriesByType("resource")
  .filter((entry) => entry.initiatorType === "img")
  .map((entry) => [entry.name, entry.transferSize])"""


@dataclass(frozen=True)
class Feed:
    base: str
    photos: list[dict[str, Any]]  # newest first, as the feed shows them
    tints: dict[str, tuple[float, float, float]]  # photo id: the photo's mean sRGB colour


def texture(width: int, height: int) -> pyvips.Image:
    """Blotches at every scale from the frame down to a few pixels, like leaves or clouds."""
    small_width, small_height = width // 4, height // 4
    detail: pyvips.Image | None = None
    for columns, strength in ((8, 30.0), (32, 21.0), (126, 15.0), (504, 9.0)):
        rows = columns * 3 // 4
        layer = pyvips.Image.gaussnoise(columns, rows, sigma=strength, mean=0).resize(
            small_width / columns, vscale=small_height / rows, kernel="cubic"
        )
        detail = layer if detail is None else detail + layer
    assert detail is not None
    coloured = detail.bandjoin([detail * 0.8, detail * 1.2]).copy_memory()
    return coloured.resize(width / small_width, vscale=height / small_height, kernel="linear")


def camera_photo(tint: tuple[int, int, int]) -> tuple[bytes, tuple[float, float, float]]:
    """A 4032x3024 camera JPEG (about 4 MB) with camera EXIF, and its mean colour."""
    width, height = 4032, 3024
    xyz = pyvips.Image.xyz(width, height)
    ramp = xyz[0] * (0.3 / width) + xyz[1] * (0.2 / height) + 0.75
    sensor_noise = pyvips.Image.gaussnoise(width, height, sigma=6, mean=0)
    scene = ramp * list(tint) + texture(width, height) + sensor_noise
    image = scene.cast("uchar").copy(interpretation="srgb")
    exif = Image.Exif()
    exif.update(CAMERA)
    exif.get_ifd(0x8769).update(SHOT)
    image.set_type(pyvips.GValue.blob_type, "exif-data", exif.tobytes())
    data: bytes = image.jpegsave_buffer(Q=90)
    mean = image.stats()
    return data, (mean(4, 1)[0], mean(4, 2)[0], mean(4, 3)[0])


def upload_feed(base: str) -> Feed:
    with signed_in(base, "gallery", PASSWORD, timeout=120) as api:
        photos = [camera_photo(tint) for tint in TINTS]
        tints: dict[str, tuple[float, float, float]] = {}
        for number in range(FEED_SIZE):
            data, mean = photos[number % len(photos)]
            files = {"file": (f"IMG_{number:04d}.jpg", data, "image/jpeg")}
            upload = api.post("/photos", files=files, data={"description": f"Walk {number}"})
            upload.raise_for_status()
            tints[upload.json()["id"]] = mean
        feed = api.get("/photos", params={"limit": FEED_SIZE}).json()["items"]
    return Feed(base, feed, tints)


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Feed]:
    """`photoshare serve` holding 24 camera photos of one person."""
    data_dir = tmp_path_factory.mktemp("feed-data")
    with serving(data_dir, data_dir / "server.log") as server:
        yield upload_feed(server.base)


@pytest.fixture(scope="module")
def album_url(feed: Feed) -> str:
    return feed.base


def mean_colour(png: bytes) -> tuple[float, ...]:
    pixels = Image.open(io.BytesIO(png)).convert("RGB").resize((1, 1), Image.Resampling.BOX)
    return tuple(float(channel) for channel in pixels.getpixel((0, 0)))  # type: ignore[union-attr]


def assert_close(seen: tuple[float, ...], expected: tuple[float, ...], slack: float) -> None:
    assert all(abs(a - b) <= slack for a, b in zip(seen, expected, strict=True)), (seen, expected)


def display_size(photo: dict[str, Any], name: str) -> dict[str, Any]:
    sizes = photo.get("sizes")
    assert sizes, "the API returns no display sizes (is the i16-derive work merged?)"
    return dict(sizes[name])


def thumb(photo: dict[str, Any]) -> dict[str, Any]:
    return display_size(photo, "thumb")


def test_feed_loads_thumbnails_lazily_within_the_budget(people: People, feed: Feed) -> None:
    phone = people.open(width=390, height=844)
    requested: list[str] = []
    phone.on("request", lambda request: requested.append(request.url))
    phone.goto("/")
    grid = phone.get_by_role("list", name="Photos")
    expect(grid.get_by_role("listitem")).to_have_count(FEED_SIZE)
    first = grid.locator("img").first
    expect(first).to_have_js_property("complete", True)

    # Each card asks for its thumb (the preview only on sharper screens), in a box of its shape.
    for card, photo in zip(grid.locator("img").all(), feed.photos, strict=True):
        small = thumb(photo)
        expect(card).to_have_attribute("src", small["url"])
        expect(card).to_have_attribute(
            "srcset", f"{small['url']} 1x, {display_size(photo, 'preview')['url']} 2x"
        )
        expect(card).to_have_attribute("width", str(small["width"]))
        expect(card).to_have_attribute("height", str(small["height"]))
        expect(card).to_have_attribute("loading", "lazy")
        expect(card).to_have_attribute("decoding", "async")
    # Below the fold nothing loads until the person scrolls there.
    thumbs = {thumb(photo)["url"] for photo in feed.photos}
    assert len(thumbs & set(requested)) < FEED_SIZE
    for _ in range(40):
        phone.mouse.wheel(0, 800)
        phone.wait_for_timeout(50)
    phone.wait_for_function(IMAGES_LOADED)

    loaded = dict(phone.evaluate(IMAGE_BYTES))
    assert set(loaded) == thumbs, "every card shows its thumb and nothing else"
    assert all(size > 0 for size in loaded.values()), "each thumb came over the wire"
    assert not {photo["url"] for photo in feed.photos} & set(requested)
    weight = sum(loaded.values())
    full = sum(photo["bytes"] for photo in feed.photos)
    print(f"feed images: {weight:,} bytes over the wire (the full images: {full:,} bytes)")
    assert 0 < weight < IMAGE_BUDGET
    assert people.page_errors == []


def test_placeholder_is_painted_before_the_thumb_arrives(people: People, feed: Feed) -> None:
    page = people.open()
    held: list[Route] = []
    thumbs = {thumb(photo)["url"] for photo in feed.photos}
    page.route(lambda url: url in thumbs, lambda route: held.append(route))
    page.goto("/")
    cards = page.get_by_role("list", name="Photos").locator(".photo-card__image")
    expect(cards).to_have_count(FEED_SIZE)
    first, photo = cards.first, feed.photos[0]
    for _ in range(100):  # the first thumb is requested, and held
        if thumb(photo)["url"] in {route.request.url for route in held}:
            break
        page.wait_for_timeout(100)
    else:
        pytest.fail("the first card never asked for its thumb")
    image = first.locator("img")
    assert image.evaluate("img => img.complete") is False

    # On screen the card already shows the photo's colours, not the empty grey box.
    assert_close(mean_colour(first.screenshot()), feed.tints[photo["id"]], slack=24)

    for route in held:
        route.continue_()
    page.route(lambda url: url in thumbs, lambda route: route.continue_())
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") == thumb(photo)["width"]
    expect(first.locator(".picture--loaded")).to_have_count(1)
    assert_close(mean_colour(first.screenshot()), feed.tints[photo["id"]], slack=24)
    assert people.page_errors == []


DECODE = """async ([hash, width, height]) => {
  const { decodeBlurhash } = await import("/blurhash.js");
  return Array.from(decodeBlurhash(hash, width, height));
}"""
REJECTS = """async (hashes) => {
  const { paintBlurhash } = await import("/blurhash.js");
  return hashes.map((hash) => paintBlurhash(document.createElement("canvas"), hash));
}"""


def test_album_decodes_placeholders_like_the_reference_library(people: People, feed: Feed) -> None:
    page = people.open()
    page.goto("/")
    placeholder = feed.photos[0]["placeholder"]
    rgba = page.evaluate(DECODE, [placeholder, 8, 6])
    expected = blurhash.decode(placeholder, 8, 6)
    seen = [rgba[index : index + 3] for index in range(0, len(rgba), 4)]
    assert rgba[3::4] == [255] * 48
    for pixel, reference in zip(seen, (pixel for row in expected for pixel in row), strict=True):
        assert all(abs(a - b) <= 1 for a, b in zip(pixel, reference, strict=True)), (
            pixel,
            reference,
        )
    # A string that is not a BlurHash leaves the canvas blank instead of breaking the page.
    bad = ["", "LEHV6n", placeholder[:-1], placeholder[:-2] + "é!", None]
    assert page.evaluate(REJECTS, bad) == [False] * len(bad)
    assert page.evaluate(REJECTS, [placeholder]) == [True]


def open_photo(page: Page, photo: dict[str, Any]) -> None:
    page.goto(f"/#/photo/{photo['id']}")
    expect(page.get_by_role("heading", name="Photo by gallery")).to_be_visible()


def test_photo_page_shows_the_preview_the_camera_and_the_full_image(
    people: People, feed: Feed
) -> None:
    page = people.open()
    photo = feed.photos[0]
    open_photo(page, photo)
    preview = display_size(photo, "preview")
    image = page.locator(".photo-figure img")
    expect(image).to_have_attribute("src", preview["url"])
    expect(image).to_have_attribute("width", str(preview["width"]))
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") == preview["width"] == 1600
    full = page.get_by_role("link", name="Full image")
    expect(full).to_have_attribute("href", photo["url"])

    taken = page.get_by_role("definition").filter(has=page.locator("time"))
    expect(taken.locator("time")).to_have_attribute("datetime", photo["taken_at"])
    expect(taken).to_contain_text("2024")
    expect(taken).to_contain_text("UTC+02:00")
    camera = page.get_by_label("How it was taken")
    expect(camera).to_contain_text("Canon EOS R5")
    expect(camera).not_to_contain_text("Canon Canon")
    expect(camera).to_contain_text("RF24-105mm F4 L IS USM")
    expect(camera).to_contain_text("35 mm · f/2.8 · 1/250 s · ISO 200")
    assert people.page_errors == []


def test_photo_without_sizes_or_camera_falls_back_to_the_full_image(
    people: People, feed: Feed
) -> None:
    """A photo from before display sizes (no sizes, placeholder or camera) still shows."""
    page = people.open()
    photo = feed.photos[1]

    def as_before(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        for item in body.get("items", [body]):
            for field in ("sizes", "placeholder", "taken_at", "camera"):
                item[field] = None
        route.fulfill(response=response, json=body)

    page.route("**/api/v1/photos?*", as_before)
    page.route(f"**/api/v1/photos/{photo['id']}", as_before)
    page.goto("/")
    card = page.get_by_role("list", name="Photos").locator("img").nth(1)
    expect(card).to_have_attribute("src", photo["url"])
    assert card.get_attribute("srcset") is None
    expect(card).to_have_attribute("width", str(photo["width"]))
    expect(page.locator(".photo-grid canvas")).to_have_count(0)
    open_photo(page, photo)
    expect(page.locator(".photo-figure img")).to_have_attribute("src", photo["url"])
    expect(page.get_by_label("How it was taken")).to_have_count(0)
    assert people.page_errors == []
