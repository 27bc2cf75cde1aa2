"""The v1.1 text rule: text is stored as sent but compared after NFKC and case folding;
control characters (other than newline and tab in descriptions, bios and comments) are 422.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from photoshare.photos.models import Photo
from photoshare.users.models import User
from tests.factories import Account, PhotoFactory, UserFactory


def fullwidth(text: str) -> str:
    """The same letters in their fullwidth forms (``cat`` -> U+FF43 U+FF41 U+FF54)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


async def _tagged(client: httpx.AsyncClient, tag: str) -> list[str]:
    response = await client.get("/api/v1/photos", params={"tag": tag})
    assert response.status_code == 200, response.text
    return [item["description"] for item in response.json()["items"]]


async def test_look_alike_tags_are_one_tag(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    first = await photos.upload(owner, description="first", tags=[fullwidth("cat"), "#Dog"])
    second = await photos.upload(owner, description="second", tags=["CAT", "Straße"])
    assert first["tags"] == ["cat", "dog"]
    assert second["tags"] == ["cat", "strasse"]
    for spelling in ("cat", "#cat", "Cat", fullwidth("CAT"), fullwidth("#cat")):
        assert await _tagged(client, spelling) == ["second", "first"], spelling
    assert await _tagged(client, "STRASSE") == ["second"]
    assert await _tagged(client, "#straße") == ["second"]

    listed = await client.get("/api/v1/tags", params={"prefix": fullwidth("#C")})
    assert listed.json()["items"] == [{"name": "cat", "photos_count": 2}]
    edited = await client.put(
        f"/api/v1/photos/{first['id']}",
        json={"description": "first", "tags": ["Cat", fullwidth("cat"), "#cat", " cat "]},
        headers=owner.headers,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["tags"] == ["cat"]
    counts = (await client.get("/api/v1/tags")).json()["items"]
    assert {tag["name"]: tag["photos_count"] for tag in counts} == {"cat": 2, "strasse": 1}


async def test_keywords_match_folded_words(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    description = f"Große Straße in {fullwidth('TOKYO')}"
    await photos.upload(owner, description=description)
    for q in ("strasse", "STRASSE", "straße", "tokyo", fullwidth("tokyo"), "grosse tokyo"):
        found = await client.get("/api/v1/photos", params={"q": q})
        assert [item["description"] for item in found.json()["items"]] == [description], q
    # Stored as sent: only the comparison folds.
    assert (await client.get("/api/v1/photos")).json()["items"][0]["description"] == description


async def test_look_alike_emails_and_usernames_are_one_account(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    ada = await users.signup("ada")
    taken = await client.post(
        "/api/v1/auth/signup",
        json={"username": "other", "email": fullwidth("ADA") + "@example.com", "password": "x" * 8},
    )
    assert taken.status_code == 409
    assert "email" in taken.json()["detail"]
    for name in (fullwidth("ada") + "@example.com", fullwidth("ADA@EXAMPLE.COM"), fullwidth("Ada")):
        assert (await users.login(ada, by=name)).access_token
    profile = await client.get(f"/api/v1/users/{fullwidth('ADA')}")
    assert profile.status_code == 200
    assert profile.json()["username"] == "ada"
    # The contract's set is [A-Za-z0-9_.-] as sent: a fullwidth name is not in it.
    fullwidth_name = await client.post(
        "/api/v1/auth/signup",
        json={"username": fullwidth("bob"), "email": "bob@example.com", "password": "x" * 8},
    )
    assert fullwidth_name.status_code == 422
    assert await User.count() == 1


async def test_changing_email_to_a_look_alike_of_another_is_409(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    await users.signup("ada")
    bob = await users.create("bob")
    response = await client.patch(
        "/api/v1/users/me",
        json={"email": fullwidth("ada") + "@EXAMPLE.com"},
        headers=bob.headers,
    )
    assert response.status_code == 409
    assert (await client.get("/api/v1/users/me", headers=bob.headers)).json()["email"] == (
        "bob@example.com"
    )


MULTI_LINE = "First line\nsecond\tcolumn\r\nthird"


async def test_descriptions_bios_and_comments_keep_newlines_and_tabs(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    account = await users.create()
    photo = await photos.upload(account, description=MULTI_LINE)
    assert photo["description"] == MULTI_LINE
    edited = await client.put(
        f"/api/v1/photos/{photo['id']}", json={"description": MULTI_LINE}, headers=account.headers
    )
    assert edited.json()["description"] == MULTI_LINE
    comment = await client.post(
        f"/api/v1/photos/{photo['id']}/comments", json={"text": MULTI_LINE}, headers=account.headers
    )
    assert comment.status_code == 201
    assert comment.json()["text"] == MULTI_LINE
    me = await client.patch("/api/v1/users/me", json={"bio": MULTI_LINE}, headers=account.headers)
    assert me.json()["bio"] == MULTI_LINE


@pytest.fixture
async def world(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> tuple[Account, dict[str, Any]]:
    account = await users.create()
    photo = await photos.upload(account, description="unchanged", tags=["kept"])
    comment = await client.post(
        f"/api/v1/photos/{photo['id']}/comments",
        json={"text": "unchanged"},
        headers=account.headers,
    )
    return account, {"photo": photo, "comment": comment.json()}


# Where each text field is sent: (method, path, JSON body builder or form, field).
JSON_FIELDS = [
    ("POST", "/api/v1/auth/signup", "username"),
    ("POST", "/api/v1/auth/signup", "email"),
    ("POST", "/api/v1/auth/signup", "password"),
    ("POST", "/api/v1/auth/signup", "full_name"),
    ("POST", "/api/v1/auth/refresh", "refresh_token"),
    ("PATCH", "/api/v1/users/me", "full_name"),
    ("PATCH", "/api/v1/users/me", "username"),
    ("PATCH", "/api/v1/users/me", "email"),
    ("PATCH", "/api/v1/users/me", "password"),
    ("PATCH", "/api/v1/users/me", "current_password"),
    ("PATCH", "/api/v1/users/me", "bio"),
    ("PUT", "/api/v1/photos/{photo}", "description"),
    ("PUT", "/api/v1/photos/{photo}", "tags"),
    ("POST", "/api/v1/photos/{photo}/comments", "text"),
    ("PUT", "/api/v1/photos/{photo}/comments/{comment}", "text"),
    ("POST", "/api/v1/photos/{photo}/links", "transformation"),
    ("POST", "/api/v1/photos/{photo}/links", "preset"),
]
VALID = {
    "username": "newname",
    "email": "new@example.com",
    "password": "long enough 2",
    "current_password": "correct horse 1",
    "full_name": "New Name",
    "refresh_token": "token",
    "bio": "bio",
    "description": "new description",
    "tags": "new",
    "text": "new text",
    "transformation": "e_grayscale",
    "preset": "thumbnail",
}
MULTI_LINE_FIELDS = {"bio", "description", "text"}
CONTROLS = ["\x00", "\x1b[31m", "\x7f", "\x85", "\u2028\x08", "\r"]


def _url(path: str, world: dict[str, Any]) -> str:
    return path.format(photo=world["photo"]["id"], comment=world["comment"]["id"])


def _with(field: str, bad: str) -> str | list[str]:
    value = f"{VALID[field][:3]}{bad}{VALID[field][3:]}"
    return [value] if field == "tags" else value


async def _unchanged(client: httpx.AsyncClient, account: Account, world: dict[str, Any]) -> None:
    """Nothing a refused request could have touched has changed."""
    assert await User.count() == 1
    me = (await client.get("/api/v1/users/me", headers=account.headers)).json()
    assert (me["username"], me["full_name"], me["bio"]) == (account.username, None, None)
    photo = (await client.get(f"/api/v1/photos/{world['photo']['id']}")).json()
    assert (photo["description"], photo["tags"]) == ("unchanged", ["kept"])
    comments = await client.get(f"/api/v1/photos/{world['photo']['id']}/comments")
    assert [c["text"] for c in comments.json()["items"]] == ["unchanged"]
    links = await client.get(f"/api/v1/photos/{world['photo']['id']}/links")
    assert links.json()["total"] == 0


def _body(path: str, field: str, bad: str) -> dict[str, object]:
    body: dict[str, object] = {field: _with(field, bad)}
    if field == "password":
        body["current_password"] = VALID["current_password"]
    if path.endswith("/signup"):
        body = {**{k: VALID[k] for k in ("username", "email", "password")}, **body}
    if path == "/api/v1/photos/{photo}":
        body.setdefault("description", VALID["description"])
    return body


@pytest.mark.parametrize(("method", "path", "field"), JSON_FIELDS, ids=str)
async def test_control_characters_in_any_text_field_are_422(
    client: httpx.AsyncClient,
    world: tuple[Account, dict[str, Any]],
    method: str,
    path: str,
    field: str,
) -> None:
    account, objects = world
    single_line_too = [] if field in MULTI_LINE_FIELDS else ["\n", "\t"]
    for bad in [*CONTROLS, *single_line_too]:
        body = _body(path, field, bad)
        response = await client.request(
            method, _url(path, objects), json=body, headers=account.headers
        )
        assert response.status_code == 422, (bad, response.text)
        assert any(error["loc"] == ["body", field] for error in response.json()["detail"])
        if bad == "\r" and field in MULTI_LINE_FIELDS:
            assert "only newline and tab" in response.text
    await _unchanged(client, account, objects)


async def test_login_form_refuses_control_characters(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    account = await users.signup("ada")
    for field in ("username", "password"):
        for bad in ("\x00", "\x1b", "\n"):
            form = {"username": account.username, "password": account.password}
            form[field] = form[field] + bad
            response = await client.post("/api/v1/auth/login", data=form)
            assert response.status_code == 422, response.text
            assert response.json()["detail"][0]["loc"] == ["body", field]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "bad\x00description"),
        ("description", "carriage\rreturn"),
        ("tags", "one\ttwo"),
        ("tags", "new\nline"),
    ],
)
async def test_upload_form_refuses_control_characters(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, field: str, value: str
) -> None:
    account = await users.create()
    body = await photos.upload(account, expect=422, **{field: value})  # type: ignore[arg-type]
    assert body["detail"][0]["loc"] == ["body", field]
    assert await Photo.count() == 0


QUERY_PARAMETERS = [
    ("/api/v1/photos", "q"),
    ("/api/v1/photos", "tag"),
    ("/api/v1/photos", "owner"),
    ("/api/v1/photos", "date_from"),
    ("/api/v1/photos", "date_to"),
    ("/api/v1/tags", "prefix"),
    ("/api/v1/users", "q"),
    ("/api/v1/auth/confirm", "token"),
]


async def test_control_characters_in_any_query_parameter_are_422(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    admin = await users.create()
    for path, name in QUERY_PARAMETERS:
        for bad in ("\x00", "a\x00", "\x1f", "\n", "\t", "\x9b"):
            response = await client.get(path, params={name: bad}, headers=admin.headers)
            assert response.status_code == 422, (path, name, bad, response.text)
            [error] = response.json()["detail"]
            assert (error["loc"], error["type"]) == (["query", name], "control_character")
