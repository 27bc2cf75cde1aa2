"""Strings Cloudinary's own SDK builds from every operation of the catalogue make share links.

The SDK writes one dict as one component, its parameters in alphabetical order
(``c_fill,e_sepia,h_300,r_20,w_300``); PhotoShare expands such a component into its
canonical chain in the order Cloudinary applies the actions.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

import httpx
import pytest
from cloudinary.utils import generate_transformation_string
from PIL import Image

from tests.factories import Account, PhotoFactory, UserFactory
from tests.links.test_links import fetch
from tests.media import samples

Options = dict[str, Any]

# The examples of the issue, as Cloudinary's SDK and documentation write them.
DOCUMENTED = [
    "c_fill,e_sepia,h_300,r_20,w_300",
    "a_90,e_grayscale",
    "c_scale,f_webp,q_auto,w_300",
    "q_60",
    "bo_5px_solid_rgb:c22c33,c_fill,h_246,q_80,r_5,w_470",
    "c_fill,g_auto,w_400,h_300/f_webp/q_auto",
    "e_brightness:-50,w_300",
    "e_brightness:20,e_contrast:10",
    "f_auto,q_auto",
    "c_scale,f_auto,q_auto,w_300",
]


def sdk_string(options: Options | list[Options]) -> str:
    """What the SDK writes for one dict (one component) or a list of them (a chain)."""
    if isinstance(options, list):
        text, _ = generate_transformation_string(transformation=options)
    else:
        text, _ = generate_transformation_string(**options)
    return str(text)


def _bounds(field: dict[str, Any]) -> list[Any]:
    return [field["min"], field["max"], *([field["or"]] if "or" in field else [])]


def sdk_options(catalogue: dict[str, Any]) -> dict[str, list[Options]]:
    """Every operation of the catalogue, at its bounds and with each value, as SDK options."""
    ops = catalogue["operations"]
    resize = ops["resize"]["fields"]
    width, height = resize["width"], resize["height"]
    effects = ops["effect"]["effects"]
    border = ops["border"]["fields"]["width"]
    output = ops["format"]["fields"]
    return {
        "resize": [
            *({"crop": crop, "width": 300, "height": 200} for crop in resize["crop"]["values"]),
            *(
                {"crop": "fill", "width": 200, "height": 300, "gravity": gravity}
                for gravity in resize["gravity"]["values"]
            ),
            {"crop": "scale", "width": width["min"]},
            {"crop": "fit", "width": width["max"], "height": height["max"]},
            {"width": 320},
        ],
        "effect": [
            *({"effect": name} for name in ops["effect"]["fields"]["name"]["values"]),
            *(
                {"effect": [name, strength]}
                for name, fields in effects.items()
                if fields
                for strength in (fields["strength"]["min"], fields["strength"]["max"])
            ),
        ],
        "radius": [{"radius": value} for value in _bounds(ops["radius"]["fields"]["value"])],
        "border": [
            {"border": {"width": border["min"], "color": "#C22C33"}},
            {"border": {"width": border["max"], "color": "#c2c"}},
            {"border": "3px_solid_rebeccapurple"},
        ],
        "rotate": [{"angle": angle} for angle in (*_bounds(ops["rotate"]["fields"]["angle"]), 90)],
        "flip": [
            {"angle": f"{direction[0]}flip"}
            for direction in ops["flip"]["fields"]["direction"]["values"]
        ],
        "format": [
            *(
                {"fetch_format": fmt, "quality": quality}
                for fmt in output["format"]["values"]
                for quality in _bounds(output["quality"])
            ),
            *({"quality": quality} for quality in _bounds(output["quality"])),
        ],
    }


def combined(singles: dict[str, list[Options]]) -> list[tuple[Options, list[Options]]]:
    """One dict holding an action of every kind, with the chain Cloudinary applies it as.

    Within a component Cloudinary resizes first, then applies the effect, the rounded
    corners, the border and the angle modes (a flip and a rotation, joined by a dot).
    """
    kinds = ("resize", "effect", "radius", "border", "flip", "rotate", "format")
    # Both sides given, so that every crop mode and gravity is valid, and small enough
    # that the widest border keeps the image within the largest side.
    resizes = [options for options in singles["resize"] if options.get("height", 1000) <= 300]
    count = max(len(singles[kind]) for kind in kinds)
    cycles = {kind: itertools.cycle(singles[kind]) for kind in kinds}
    cycles["resize"] = itertools.cycle(resizes)
    pairs = []
    for _ in range(count):
        resize, effect, radius, border, flip, rotate, output = (next(cycles[k]) for k in kinds)
        angles = [flip["angle"], rotate["angle"]]
        one = {**resize, **effect, **radius, **border, **output, "angle": angles}
        chain = [resize, effect, radius, border, flip, rotate, output]
        pairs.append((one, chain))
    return pairs


async def _link(
    client: httpx.AsyncClient, photo_id: object, account: Account, transformation: str
) -> httpx.Response:
    return await client.post(
        f"/api/v1/photos/{photo_id}/links",
        json={"transformation": transformation},
        headers=account.headers,
    )


async def _accepted_and_round_trips(
    client: httpx.AsyncClient, photo_id: object, account: Account, text: str
) -> dict[str, Any]:
    created = await _link(client, photo_id, account, text)
    assert created.status_code in (200, 201), (text, created.json())
    link: dict[str, Any] = created.json()
    again = await _link(client, photo_id, account, link["transformation"])
    assert again.status_code == 200, (text, again.json())
    assert again.json()["id"] == link["id"], text
    assert again.json()["transformation"] == link["transformation"]
    return link


@pytest.fixture
async def square_photo(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> tuple[Account, object]:
    # Square, so that a resize to the largest side stays within the pixel budget.
    owner = await users.create()
    photo = await photos.upload(owner, samples.jpeg(480, 480))
    return owner, photo["id"]


async def test_every_catalogue_operation_from_the_sdk_makes_a_link(
    client: httpx.AsyncClient, square_photo: tuple[Account, object]
) -> None:
    owner, photo_id = square_photo
    catalogue = (await client.get("/api/v1/transformations")).json()
    singles = sdk_options(catalogue)
    assert set(singles) == set(catalogue["operations"])
    for options_list in singles.values():
        for options in options_list:
            await _accepted_and_round_trips(client, photo_id, owner, sdk_string(options))


async def test_combined_sdk_dicts_expand_in_cloudinarys_order(
    client: httpx.AsyncClient, square_photo: tuple[Account, object]
) -> None:
    owner, photo_id = square_photo
    singles = sdk_options((await client.get("/api/v1/transformations")).json())
    for one, chain in combined(singles):
        text = sdk_string(one)
        assert "/" not in text  # one component, as the SDK writes a single dict
        link = await _accepted_and_round_trips(client, photo_id, owner, text)
        as_chain = await _link(client, photo_id, owner, sdk_string(chain))
        assert as_chain.status_code == 200, (text, as_chain.json())
        assert as_chain.json()["id"] == link["id"], text


@pytest.mark.parametrize("text", DOCUMENTED)
async def test_documented_examples_make_links(
    client: httpx.AsyncClient, square_photo: tuple[Account, object], text: str
) -> None:
    owner, photo_id = square_photo
    link = await _accepted_and_round_trips(client, photo_id, owner, text)
    image = await fetch(client, link["url"])
    assert image.status_code == 200


async def test_a_component_is_the_chain_of_its_actions(
    client: httpx.AsyncClient, square_photo: tuple[Account, object]
) -> None:
    owner, photo_id = square_photo
    link = await _accepted_and_round_trips(
        client, photo_id, owner, "bo_5px_solid_rgb:c22c33,c_fill,h_246,q_80,r_5,w_470"
    )
    assert link["transformation"] == "c_fill,w_470,h_246/r_5/bo_5px_solid_rgb:c22c33/q_80"
    image = Image.open(io.BytesIO((await fetch(client, link["url"])).content))
    # The border is drawn around the resized image, so it adds to the resize's size.
    assert image.size == (480, 256)
    assert image.getpixel((0, 128)) == pytest.approx((194, 44, 51), abs=12)


async def test_the_sdks_f_auto_q_auto_round_trips(
    client: httpx.AsyncClient, square_photo: tuple[Account, object]
) -> None:
    owner, photo_id = square_photo
    text = sdk_string({"fetch_format": "auto", "quality": "auto"})
    assert text == "f_auto,q_auto"
    link = await _accepted_and_round_trips(client, photo_id, owner, text)
    assert link["transformation"] == "f_auto,q_auto"
    image = await fetch(client, link["url"], headers={"Accept": "image/webp,*/*"})
    assert image.headers["content-type"] == "image/webp"
    assert image.headers["vary"] == "Accept"


async def test_quality_alone_keeps_the_photos_format(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner, samples.noisy_jpeg(400, 300))
    sizes = {}
    for quality in (10, 95):
        link = await _accepted_and_round_trips(client, photo["id"], owner, f"q_{quality}")
        assert link["transformation"] == f"q_{quality}"
        image = await fetch(client, link["url"])
        assert image.headers["content-type"] == "image/jpeg"
        sizes[quality] = len(image.content)
    assert sizes[10] < sizes[95] / 2


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("c_fill,e_sepia,h_300,r_20,w_300,x_1", "x_ is not a supported parameter"),
        ("c_fill,e_sepia,h_300,r_20,w_5000", "w_5000: width should be less than or equal to"),
        ("c_fill,e_sepia:500,h_300,r_20,w_300", "e_sepia:500: sepia strength must be between"),
        ("e_brightness:20,e_contrast:500", "e_contrast:500: contrast strength must be between"),
        ("bo_5px_solid_rgb:c22c3,c_fill,h_246,w_470", "bo_5px_solid_rgb:c22c3: color"),
    ],
)
async def test_a_refused_component_names_the_parameter_at_fault(
    client: httpx.AsyncClient, square_photo: tuple[Account, object], text: str, named: str
) -> None:
    owner, photo_id = square_photo
    refused = await _link(client, photo_id, owner, text)
    assert refused.status_code == 422
    detail = str(refused.json()["detail"])
    assert named in detail
    # Only the parameter at fault is blamed, not the ones it is written with.
    blamed = detail.split("): ", 1)[-1]
    assert blamed.startswith(named.split(":")[0])
    links = await client.get(f"/api/v1/photos/{photo_id}/links", headers=owner.headers)
    assert links.json()["items"] == []


async def test_the_schema_documents_the_string_form(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    body = schema["paths"]["/api/v1/photos/{photo_id}/links"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    model = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    # The body is one of two shapes: a transformation, or a preset.
    shapes = [shape["properties"] for shape in model["oneOf"]]
    described = next(shape["transformation"] for shape in shapes if "transformation" in shape)
    described = described["description"]
    for rule in ("c_fill,e_sepia,h_300,r_20,w_300", "e_brightness:20/e_contrast:10", "rgb:rrggbb"):
        assert rule in described
    # The order a component's actions run in, as the parser applies it.
    order = ["(c_, w_, h_, g_)", "(e_)", "(r_)", "(bo_)", "(a_"]
    assert sorted(order, key=described.index) == order
