"""Who may see and change an album, for each kind of caller and each visibility.

Changes are for the album's owner and admins (401 without a token, 403 for others); a private
album is 404 to anyone but its owner and admins, never 403, for reads and writes alike.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import CALLERS, Account, PhotoFactory, UserFactory

CHANGERS = {"owner", "admin"}
VISIBILITIES = ("public", "unlisted", "private")


@pytest.fixture
async def cast(users: UserFactory) -> dict[str, Account | None]:
    return await users.cast()


def headers(caller: Account | None) -> dict[str, str]:
    return caller.headers if caller else {}


def may_see(name: str, visibility: str) -> bool:
    return visibility != "private" or name in CHANGERS


def refused(name: str, visibility: str) -> int:
    """How a change by a caller who may not make it is answered."""
    if name == "anonymous":
        return 401
    return 403 if may_see(name, visibility) else 404


@pytest.fixture(params=CALLERS)
def name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=VISIBILITIES)
def visibility(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def album(
    client: httpx.AsyncClient,
    photos: PhotoFactory,
    cast: dict[str, Account | None],
    visibility: str,
) -> dict[str, Any]:
    """An album of the cast's owner holding two of the owner's photos."""
    owner = cast["owner"]
    assert owner is not None
    created = await client.post(
        "/api/v1/albums", json={"title": "Harbour", "visibility": visibility}, headers=owner.headers
    )
    body: dict[str, Any] = created.json()
    body["photos"] = [await photos.upload(owner) for _ in range(2)]
    for photo in body["photos"]:
        response = await client.post(
            f"/api/v1/albums/{body['id']}/photos",
            json={"photo_id": photo["id"]},
            headers=owner.headers,
        )
        assert response.status_code == 200
    return body


async def test_reads_follow_the_visibility(
    client: httpx.AsyncClient,
    cast: dict[str, Account | None],
    album: dict[str, Any],
    name: str,
    visibility: str,
) -> None:
    caller = headers(cast[name])
    url = f"/api/v1/albums/{album['id']}"
    single, its_photos = (
        await client.get(url, headers=caller),
        await client.get(f"{url}/photos", headers=caller),
    )
    if not may_see(name, visibility):
        assert (single.status_code, its_photos.status_code) == (404, 404)
        assert single.json() == {"detail": "No album with this id"}
        # A private album's photos stay reachable by their own ids.
        photo = await client.get(f"/api/v1/photos/{album['photos'][0]['id']}", headers=caller)
        assert photo.status_code == 200
        return
    assert single.status_code == its_photos.status_code == 200
    body = single.json()
    assert (body["visibility"], body["photos_count"]) == (visibility, 2)
    assert (body["can_edit"], body["can_delete"]) == (name in CHANGERS, name in CHANGERS)
    assert [p["id"] for p in its_photos.json()["items"]] == [p["id"] for p in album["photos"]]


async def test_changes_are_for_the_owner_and_admins(
    client: httpx.AsyncClient,
    photos: PhotoFactory,
    cast: dict[str, Account | None],
    album: dict[str, Any],
    name: str,
    visibility: str,
) -> None:
    caller, owner = cast[name], cast["owner"]
    assert owner is not None
    url = f"/api/v1/albums/{album['id']}"
    first, second = (photo["id"] for photo in album["photos"])
    third = await photos.upload(owner)
    allowed = name in CHANGERS
    answers = {
        "patch": await client.patch(url, json={"title": "New"}, headers=headers(caller)),
        "add": await client.post(
            f"{url}/photos", json={"photo_id": third["id"]}, headers=headers(caller)
        ),
        "reorder": await client.put(
            f"{url}/photos",
            json={"photo_ids": [third["id"], second, first]},
            headers=headers(caller),
        ),
        "remove": await client.delete(f"{url}/photos/{first}", headers=headers(caller)),
    }
    expected = {"patch": 200, "add": 200, "reorder": 200, "remove": 204}
    for action, response in answers.items():
        assert response.status_code == (
            expected[action] if allowed else refused(name, visibility)
        ), action
    seen = (await client.get(url, headers=owner.headers)).json()
    listed = await client.get(f"{url}/photos", headers=owner.headers)
    ids = [p["id"] for p in listed.json()["items"]]
    if allowed:
        assert (seen["title"], ids) == ("New", [third["id"], second])
    else:
        assert (seen["title"], ids) == ("Harbour", [first, second])
    deleted = await client.delete(url, headers=headers(caller))
    assert deleted.status_code == (204 if allowed else refused(name, visibility))
    still = await client.get(url, headers=owner.headers)
    assert still.status_code == (404 if allowed else 200)


async def test_lists_show_others_public_albums_all_of_ones_own_and_all_to_admins(
    client: httpx.AsyncClient, cast: dict[str, Account | None], name: str
) -> None:
    owner, other = cast["owner"], cast["other"]
    assert owner is not None and other is not None
    made: dict[str, str] = {}
    for account in (owner, other):
        for visibility in VISIBILITIES:
            response = await client.post(
                "/api/v1/albums",
                json={"title": f"{account.username} {visibility}", "visibility": visibility},
                headers=account.headers,
            )
            made[response.json()["id"]] = response.json()["title"]
    caller = cast[name]

    def titles(response: httpx.Response) -> list[str]:
        assert response.status_code == 200, response.text
        return [item["title"] for item in response.json()["items"]]

    def expected(accounts: tuple[Account, ...]) -> list[str]:
        # Newest first: the other's albums were made last.
        return [
            f"{account.username} {visibility}"
            for account in reversed(accounts)
            for visibility in reversed(VISIBILITIES)
            if name == "admin"
            or visibility == "public"
            or (caller is not None and account.username == caller.username)
        ]

    everyone = await client.get("/api/v1/albums", headers=headers(caller))
    assert titles(everyone) == expected((owner, other))
    assert everyone.json()["total"] == len(expected((owner, other)))
    owners = await client.get(
        "/api/v1/albums", params={"owner": owner.username}, headers=headers(caller)
    )
    assert titles(owners) == expected((owner,))
    # Usernames compare ignoring case; an unknown owner has no albums.
    upper = await client.get(
        "/api/v1/albums", params={"owner": owner.username.upper()}, headers=headers(caller)
    )
    assert titles(upper) == expected((owner,))
    nobody = await client.get("/api/v1/albums", params={"owner": "nobody-here"})
    assert nobody.json() == {"items": [], "total": 0, "limit": 20, "offset": 0}


async def test_a_visibility_change_moves_the_album_in_and_out_of_lists(
    client: httpx.AsyncClient, cast: dict[str, Account | None]
) -> None:
    owner, other = cast["owner"], cast["other"]
    assert owner is not None and other is not None
    created = await client.post(
        "/api/v1/albums",
        json={"title": "Soon public", "visibility": "private"},
        headers=owner.headers,
    )
    url = f"/api/v1/albums/{created.json()['id']}"

    async def listed_to_other() -> int:
        return int((await client.get("/api/v1/albums", headers=other.headers)).json()["total"])

    assert await listed_to_other() == 0
    assert (await client.get(url, headers=other.headers)).status_code == 404
    await client.patch(url, json={"visibility": "public"}, headers=owner.headers)
    assert await listed_to_other() == 1
    await client.patch(url, json={"visibility": "unlisted"}, headers=owner.headers)
    assert await listed_to_other() == 0
    assert (await client.get(url, headers=other.headers)).status_code == 200
    mine = await client.get("/api/v1/albums", headers=owner.headers)
    assert mine.json()["total"] == 1


async def test_lists_are_paged(client: httpx.AsyncClient, cast: dict[str, Account | None]) -> None:
    owner = cast["owner"]
    assert owner is not None
    for i in range(5):
        await client.post("/api/v1/albums", json={"title": f"a{i}"}, headers=owner.headers)
    page = await client.get("/api/v1/albums", params={"limit": 2, "offset": 1})
    assert page.json()["total"] == 5
    assert [item["title"] for item in page.json()["items"]] == ["a3", "a2"]
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"offset": 10_001}):
        assert (await client.get("/api/v1/albums", params=params)).status_code == 422
    assert (await client.get("/api/v1/albums", params={"owner": "a\x01"})).status_code == 422
