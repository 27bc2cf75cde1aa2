"""can_edit and can_delete: what each caller is told they may do is what the API then allows."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import CALLERS, Account, PhotoFactory, UserFactory

# Who may do what (shared/API.md): photos by their owner or an admin; a comment's text by its
# author only; comments deleted by moderators and admins.
PHOTO_CHANGERS = {"owner", "admin"}
COMMENT_EDITORS = {"owner"}
COMMENT_DELETERS = {"moderator", "admin"}


@pytest.fixture
async def cast(users: UserFactory) -> dict[str, Account | None]:
    """One caller of each kind; "owner" owns the photo and wrote the comment."""
    return await users.cast()


@pytest.fixture(params=CALLERS)
def name(request: pytest.FixtureRequest) -> str:
    """Which caller of the cast a test runs as."""
    return str(request.param)


@pytest.fixture
async def photo(photos: PhotoFactory, cast: dict[str, Account | None]) -> dict[str, Any]:
    """A photo of the cast's owner."""
    owner = cast["owner"]
    assert owner is not None
    return await photos.upload(owner, description="Harbour")


def headers(caller: Account | None) -> dict[str, str]:
    return caller.headers if caller else {}


def flags(item: dict[str, Any]) -> tuple[bool, bool]:
    return item["can_edit"], item["can_delete"]


def refused(caller: Account | None) -> int:
    """The status of a refused change: 401 without a token, else 403."""
    return 401 if caller is None else 403


async def test_photo_flags_match_what_the_caller_may_do(
    client: httpx.AsyncClient, cast: dict[str, Account | None], photo: dict[str, Any], name: str
) -> None:
    assert flags(photo) == (True, True)  # the uploader's own copy
    caller, url = cast[name], f"/api/v1/photos/{photo['id']}"
    expected = name in PHOTO_CHANGERS

    single = (await client.get(url, headers=headers(caller))).json()
    listed = (await client.get("/api/v1/photos", headers=headers(caller))).json()["items"]
    [in_list] = [item for item in listed if item["id"] == photo["id"]]
    assert flags(single) == flags(in_list) == (expected, expected)

    edit = await client.put(url, json={"description": "Dunes"}, headers=headers(caller))
    assert edit.status_code == (200 if expected else refused(caller))
    if expected:
        assert flags(edit.json()) == (True, True)
    delete = await client.delete(url, headers=headers(caller))
    assert delete.status_code == (204 if expected else refused(caller))
    after = await client.get(url)
    assert after.status_code == (404 if expected else 200)


async def test_comment_flags_match_what_the_caller_may_do(
    client: httpx.AsyncClient, cast: dict[str, Account | None], photo: dict[str, Any], name: str
) -> None:
    caller, owner = cast[name], cast["owner"]
    assert owner is not None
    url = f"/api/v1/photos/{photo['id']}/comments"
    written = (await client.post(url, json={"text": "Lovely"}, headers=owner.headers)).json()
    assert flags(written) == (True, False)  # a plain author edits, but cannot delete
    may_edit, may_delete = name in COMMENT_EDITORS, name in COMMENT_DELETERS

    [listed] = (await client.get(url, headers=headers(caller))).json()["items"]
    assert flags(listed) == (may_edit, may_delete)

    comment_url = f"{url}/{written['id']}"
    edit = await client.put(comment_url, json={"text": "Lovelier"}, headers=headers(caller))
    assert edit.status_code == (200 if may_edit else refused(caller))
    if may_edit:
        assert edit.json()["text"] == "Lovelier" and flags(edit.json()) == (True, False)
    delete = await client.delete(comment_url, headers=headers(caller))
    assert delete.status_code == (204 if may_delete else refused(caller))
    remaining = (await client.get(url)).json()["items"]
    assert len(remaining) == (0 if may_delete else 1)


@pytest.mark.parametrize("role", ["moderator", "admin"])
async def test_staff_are_told_they_may_edit_and_delete_their_own_comment(
    client: httpx.AsyncClient, cast: dict[str, Account | None], photo: dict[str, Any], role: str
) -> None:
    staff = cast[role]
    assert staff is not None
    url = f"/api/v1/photos/{photo['id']}/comments"
    written = (await client.post(url, json={"text": "Mine"}, headers=staff.headers)).json()
    assert flags(written) == (True, True)
    edited = await client.put(
        f"{url}/{written['id']}", json={"text": "Still mine"}, headers=staff.headers
    )
    assert edited.status_code == 200 and flags(edited.json()) == (True, True)
    assert (await client.delete(f"{url}/{written['id']}", headers=staff.headers)).status_code == 204


async def test_the_flags_are_documented(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    for name in ("PhotoOut", "CommentOut"):
        for flag in ("can_edit", "can_delete"):
            assert flag in schemas[name]["required"], (name, flag)
            assert schemas[name]["properties"][flag]["type"] == "boolean"
            assert "caller" in schemas[name]["properties"][flag]["description"]
