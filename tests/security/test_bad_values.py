"""No input ever gets a 500: hostile values in every JSON field and query parameter.

NaN, Infinity, numbers beyond a double and lone surrogates are 422 wherever they are
sent; dates at the ends of the calendar are answered; a 422 never repeats a password or
a whole uploaded file. The operations and their fields come from the app's own OpenAPI,
with the valid requests of the authorization matrix as the starting point.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from photoshare.photos.models import Photo
from photoshare.users.models import User
from tests.factories import PhotoFactory, UserFactory
from tests.security.test_authorization import MATRIX, build_world
from tests.security.test_injection import _json_fields

# JSON literals Python's json module accepts but no field can hold.
NOT_JSON_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1E999", "9" * 400]
LONE_SURROGATES = ['"\\ud800"', '"ok\\udfffok"', '["\\udbff"]']
PLACEHOLDER = "__bad_value__"


def _body_with(valid: dict[str, Any], field: str, literal: str) -> bytes:
    text = json.dumps({**valid, field: PLACEHOLDER})
    return text.replace(json.dumps(PLACEHOLDER), literal).encode()


async def test_non_finite_numbers_and_lone_surrogates_in_any_json_field_are_422(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()
    world = await build_world(client)
    users_before, photo_before = await User.count(), await Photo.count()
    checked: set[tuple[str, str, str]] = set()
    for (method, path), (request, _, _) in MATRIX.items():
        fields = _json_fields(schema, schema["paths"][path][method.lower()])
        if not fields:
            continue
        concrete, kwargs = request(world, "admin")
        valid = dict(kwargs.get("json") or {})
        for field in fields:
            for literal in [*NOT_JSON_NUMBERS, *LONE_SURROGATES]:
                response = await client.request(
                    method,
                    concrete,
                    content=_body_with(valid, field, literal),
                    headers={**world.headers("admin"), "Content-Type": "application/json"},
                )
                assert response.status_code == 422, (method, path, field, literal, response.text)
                assert isinstance(response.json()["detail"], list)
            checked.add((method, path, field))
    assert {path for _, path, _ in checked} >= {
        "/api/v1/auth/signup",
        "/api/v1/auth/refresh",
        "/api/v1/users/me",
        "/api/v1/users/{username}/role",
        "/api/v1/photos/{photo_id}",
        "/api/v1/photos/{photo_id}/comments",
        "/api/v1/photos/{photo_id}/comments/{comment_id}",
        "/api/v1/photos/{photo_id}/ratings",
        "/api/v1/photos/{photo_id}/links",
    }
    assert len(checked) >= 19
    assert (await User.count(), await Photo.count()) == (users_before, photo_before)


@pytest.mark.parametrize(
    "body",
    [
        '{"transformation": [{"op": "rotate", "angle": NaN}]}',
        '{"transformation": [{"op": "resize", "width": Infinity}]}',
        '{"transformation": [{"op": "effect", "name": "blur", "strength": -Infinity}]}',
        '{"transformation": [{"op": "format", "format": "jpg", "quality": 1e400}]}',
        '{"transformation": [{"op": "border", "width": 3, "color": "\\ud800"}]}',
        '{"preset": "thumbnail", "\\ud800": 1}',
    ],
)
async def test_bad_values_inside_link_operations_are_422(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, body: str
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner)
    response = await client.post(
        f"/api/v1/photos/{photo['id']}/links",
        content=body.encode(),
        headers={**owner.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    links = await client.get(f"/api/v1/photos/{photo['id']}/links")
    assert links.json()["total"] == 0


async def test_text_that_merely_reads_like_a_number_is_text(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    photo = await photos.upload(owner)
    text = 'NaN, Infinity and 1e400 are fine in "quotes" \\ escaped'
    response = await client.post(
        f"/api/v1/photos/{photo['id']}/comments",
        content=json.dumps({"text": text}).encode(),
        headers={**owner.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["text"] == text


HOSTILE_QUERY_VALUES = [
    str(10**30),
    str(-(10**30)),
    "",
    " ",
    "NaN",
    "-inf",
    "1e400",
    "[]",
    "\ufffd\ufffd",
    "9999-12-31",
    "0001-01-01",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "x" * 5000,
]


async def test_hostile_values_of_every_query_parameter_never_get_a_500(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()
    world = await build_world(client)
    checked = 0
    for (method, path), (request, _, changes) in MATRIX.items():
        operation = schema["paths"][path][method.lower()]
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        if not names or changes:
            continue
        concrete, _ = request(world, "admin")
        for name in names:
            for value in HOSTILE_QUERY_VALUES:
                response = await client.request(
                    method, concrete, params={name: value}, headers=world.headers("admin")
                )
                assert response.status_code < 500, (path, name, value, response.text)
                checked += 1
    assert checked >= 15 * len(HOSTILE_QUERY_VALUES)


@pytest.mark.parametrize(
    "params",
    [
        {"date_to": "9999-12-31"},
        {"date_to": "9999-12-31T23:59:59-14:00"},
        {"date_from": "0001-01-01T00:00:00+14:00"},
        {"date_from": "0001-01-01"},
        {"date_from": "0001-01-02T00:00:00+14:00"},
        {"date_from": "9999-12-31"},
        {"date_from": "2024-01-01", "date_to": "10000-01-01"},
    ],
)
async def test_dates_past_the_ends_of_the_calendar_are_422(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get("/api/v1/photos", params=params)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"][-1] in params
    assert "0001-01-02 to 9999-12-30" in error["msg"] or "not an ISO date" in error["msg"]


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"date_to": "9999-12-30"}, True),
        ({"date_to": "9999-12-30T09:59:59-14:00"}, True),
        ({"date_from": "0001-01-02T14:00:00+14:00"}, True),
        ({"date_to": "0001-01-02"}, False),
        ({"date_from": "9999-12-30"}, False),
        ({"date_from": "0001-01-02", "date_to": "9999-12-30"}, True),
    ],
)
async def test_dates_at_the_ends_of_the_calendar_are_answered(
    client: httpx.AsyncClient,
    users: UserFactory,
    photos: PhotoFactory,
    params: dict[str, str],
    found: bool,
) -> None:
    owner = await users.create()
    await photos.upload(owner, description="today")
    response = await client.get("/api/v1/photos", params=params)
    assert response.status_code == 200, response.text
    assert response.json()["total"] == (1 if found else 0)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/ratings", {"stars": 10**30}, "stars"),
        ("/ratings", {"stars": -(10**30)}, "stars"),
        ("/ratings", {"stars": "5"}, "stars"),
        ("/ratings", {"stars": [5]}, "stars"),
        ("/comments", {"text": ["a"]}, "text"),
        ("/comments", {"text": {"$gt": ""}}, "text"),
        ("/comments", {"text": ""}, "text"),
        ("/comments", {"text": 10**30}, "text"),
        ("/links", {"transformation": [{"op": "resize", "width": 10**30}]}, "transformation"),
        ("/links", {"transformation": [{"op": "rotate", "angle": -(10**30)}]}, "transformation"),
    ],
)
async def test_out_of_range_numbers_and_wrong_types_are_422(
    client: httpx.AsyncClient,
    users: UserFactory,
    photos: PhotoFactory,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    owner, rater = await users.create(), await users.create()
    photo = await photos.upload(owner)
    response = await client.post(
        f"/api/v1/photos/{photo['id']}{path}", json=body, headers=rater.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][:2] == ["body", field]
    unchanged = (await client.get(f"/api/v1/photos/{photo['id']}")).json()
    assert (unchanged["rating"]["count"], unchanged["comments_count"]) == (0, 0)


@pytest.mark.parametrize("name", ["limit", "offset"])
async def test_huge_page_parameters_are_422(client: httpx.AsyncClient, name: str) -> None:
    for path in ("/api/v1/photos", "/api/v1/tags"):
        response = await client.get(path, params={name: 10**30})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", name]


SECRET = "my secret passphrase"  # a value that must never come back


async def test_a_422_never_repeats_a_password(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    account = await users.create("ada")
    refused = [
        # The field itself is wrong.
        await client.post(
            "/api/v1/auth/signup",
            json={"username": "bob", "email": "bob@example.com", "password": SECRET * 10},
        ),
        # Another field is missing: the error's input is the whole body.
        await client.post("/api/v1/auth/signup", json={"username": "bob", "password": SECRET}),
        await client.patch(
            "/api/v1/users/me",
            json={"password": SECRET, "current_password": SECRET, "role": "admin"},
            headers=account.headers,
        ),
        # A model-level rule: a new password without the current one.
        await client.patch("/api/v1/users/me", json={"password": SECRET}, headers=account.headers),
        await client.patch(
            "/api/v1/users/me",
            json={"password": "short", "current_password": SECRET},
            headers=account.headers,
        ),
        await client.post("/api/v1/auth/login", data={"username": "ada\x00", "password": SECRET}),
        await client.post(
            "/api/v1/auth/login", data={"username": "ada", "password": SECRET + "\n"}
        ),
    ]
    for response in refused:
        assert response.status_code == 422, response.text
        assert SECRET not in response.text
        assert "short" not in response.text.replace("string_too_short", "")
    assert await User.count() == 1


async def test_a_422_never_repeats_an_uploaded_file(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    account = await users.create()
    content = "A file's whole content, sent as a plain form field. " * 2000
    as_text = await client.post("/api/v1/photos", data={"file": content}, headers=account.headers)
    file_bytes = b"\xff\xd8\xff" + b"\x00" * 50_000
    as_description = await client.post(
        "/api/v1/photos",
        files={"file": ("a.jpg", file_bytes, "image/jpeg"), "description": ("d.jpg", file_bytes)},
        headers=account.headers,
    )
    for response in (as_text, as_description):
        assert response.status_code == 422, response.text[:500]
        assert len(response.content) < 2000
    assert content not in as_text.text
    assert as_description.json()["detail"][0]["input"] == "<file 'd.jpg'>"
    assert await Photo.count() == 0
