"""Search: keywords, tags, owner, rating and date filters, sorts, and hostile input."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from photoshare.db import collection
from photoshare.photos.models import Photo
from photoshare.photos.search import MAX_DESCRIPTION_TERMS
from tests.factories import Account, PhotoFactory, UserFactory


async def _dated(photo: dict[str, object], when: datetime) -> None:
    """Move a photo in time (the API has no way to back-date an upload)."""
    from beanie import PydanticObjectId

    await collection(Photo).update_one(
        {"_id": PydanticObjectId(str(photo["id"]))}, {"$set": {"created_at": when}}
    )


async def _search(
    client: httpx.AsyncClient, account: Account | None = None, **params: object
) -> list[str]:
    response = await client.get(
        "/api/v1/photos", params=params, headers=account.headers if account else {}
    )
    assert response.status_code == 200, response.text
    return [item["description"] for item in response.json()["items"]]


@pytest.fixture
async def gallery(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> dict[str, Account]:
    admin, alice = await users.admin_and_user()
    bob = await users.create()
    moderator = await users.create(role="moderator", admin=admin)
    specs = [
        (alice, "Sunset over the Harbour", "sea,evening", datetime(2026, 1, 10, 12, tzinfo=UTC)),
        (alice, "Harbour cranes at dawn", "industry", datetime(2026, 2, 1, 0, tzinfo=UTC)),
        (bob, "A cat asleep", "cats,Sea", datetime(2026, 2, 1, 23, 59, tzinfo=UTC)),
        (bob, "Mountain lake", "nature", datetime(2026, 3, 5, 8, tzinfo=UTC)),
    ]
    for owner, description, tags, when in specs:
        await _dated(await photos.upload(owner, description=description, tags=tags), when)
    return {"admin": admin, "alice": alice, "bob": bob, "moderator": moderator}


async def test_keywords_match_whole_words_in_description_and_tags(
    client: httpx.AsyncClient, gallery: dict[str, Account]
) -> None:
    assert await _search(client, q="harbour") == [
        "Harbour cranes at dawn",
        "Sunset over the Harbour",
    ]
    assert await _search(client, q="HARBOUR sunset") == ["Sunset over the Harbour"]
    assert await _search(client, q="harbour cat") == []
    assert await _search(client, q="harb") == []  # whole words only
    assert await _search(client, q="evening") == ["Sunset over the Harbour"]  # a tag name
    assert await _search(client, q="sea") == ["A cat asleep", "Sunset over the Harbour"]


async def test_tag_filter_is_exact(client: httpx.AsyncClient, gallery: dict[str, Account]) -> None:
    assert await _search(client, tag="SEA") == ["A cat asleep", "Sunset over the Harbour"]
    assert await _search(client, tag="se") == []
    assert await _search(client, tag="sea", q="cat") == ["A cat asleep"]


async def test_dates_are_inclusive(client: httpx.AsyncClient, gallery: dict[str, Account]) -> None:
    assert await _search(client, date_from="2026-02-01", date_to="2026-02-01") == [
        "A cat asleep",
        "Harbour cranes at dawn",
    ]
    assert await _search(client, date_from="2026-02-01T23:59:00Z") == [
        "Mountain lake",
        "A cat asleep",
    ]
    assert await _search(client, date_to="2026-01-10T12:00:00") == ["Sunset over the Harbour"]
    bad = await client.get("/api/v1/photos", params={"date_from": "yesterday"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "date_from"]


async def test_sorts_and_min_rating(
    client: httpx.AsyncClient, users: UserFactory, gallery: dict[str, Account]
) -> None:
    assert await _search(client, sort="oldest") == [
        "Sunset over the Harbour",
        "Harbour cranes at dawn",
        "A cat asleep",
        "Mountain lake",
    ]
    ids = {
        item["description"]: item["id"]
        for item in (await client.get("/api/v1/photos")).json()["items"]
    }
    raters = [await users.create() for _ in range(2)]
    for description, stars in (
        ("Mountain lake", [5, 4]),
        ("A cat asleep", [2, 2]),
        ("Sunset over the Harbour", [3]),
    ):
        for rater, star in zip(raters, stars, strict=False):
            response = await client.post(
                f"/api/v1/photos/{ids[description]}/ratings",
                json={"stars": star},
                headers=rater.headers,
            )
            assert response.status_code == 201
    assert (await _search(client, sort="top_rated"))[:3] == [
        "Mountain lake",
        "Sunset over the Harbour",
        "A cat asleep",
    ]
    assert (await _search(client, sort="lowest_rated"))[0] == "Harbour cranes at dawn"
    assert await _search(client, min_rating=3) == ["Mountain lake", "Sunset over the Harbour"]
    assert await _search(client, min_rating=4.5) == ["Mountain lake"]
    for bad in (
        {"min_rating": 0},
        {"min_rating": 6},
        {"sort": "random"},
        {"limit": 0},
        {"offset": -1},
    ):
        assert (await client.get("/api/v1/photos", params=bad)).status_code == 422


async def test_owner_filter_rules(client: httpx.AsyncClient, gallery: dict[str, Account]) -> None:
    alice, bob, moderator = gallery["alice"], gallery["bob"], gallery["moderator"]
    assert await _search(client, alice, owner=alice.username) == [
        "Harbour cranes at dawn",
        "Sunset over the Harbour",
    ]
    other = await client.get(
        "/api/v1/photos", params={"owner": bob.username}, headers=alice.headers
    )
    assert other.status_code == 403
    assert (await client.get("/api/v1/photos", params={"owner": bob.username})).status_code == 403
    assert await _search(client, moderator, owner=bob.username.upper()) == [
        "Mountain lake",
        "A cat asleep",
    ]
    assert await _search(client, gallery["admin"], owner="nobody") == []


@pytest.mark.parametrize(
    "params",
    [
        {"q": '{"$gt": ""}'},
        {"q": ".*"},
        {"tag": ".*"},
        {"tag": '{"$ne": null}'},
        {"q": "$where"},
        {"owner": '{"$gt": ""}'},
        {"q[$ne]": "x"},
        {"date_from": '{"$gt": ""}'},
    ],
)
async def test_hostile_parameters_are_plain_text(
    client: httpx.AsyncClient, gallery: dict[str, Account], params: dict[str, str]
) -> None:
    response = await client.get("/api/v1/photos", params=params, headers=gallery["admin"].headers)
    if "date_from" in params:
        assert response.status_code == 422
        return
    assert response.status_code == 200
    # Nothing matches an operator written as text; q[$ne] is an unknown parameter and ignored.
    expected = 4 if "q[$ne]" in params else 0
    assert response.json()["total"] == expected


def _distinct_words(length: int) -> list[str]:
    """Distinct three-letter words filling ``length`` characters with their spaces."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    every = (a + b + c for a in letters for b in letters for c in letters)
    return [next(every) for _ in range(length // 4)]


async def test_a_long_description_stores_a_bounded_number_of_terms(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create()
    vocabulary = _distinct_words(2000)
    assert len(vocabulary) == 500
    photo = await photos.upload(owner, description=" ".join(vocabulary), tags="zebra crossing")

    stored = await Photo.get(photo["id"])
    assert stored is not None
    assert len(stored.search_terms) == MAX_DESCRIPTION_TERMS + 2 + 1  # words, tag words, tag
    found = await _search(client, q=vocabulary[MAX_DESCRIPTION_TERMS - 1])
    assert len(found) == 1
    assert await _search(client, q=vocabulary[MAX_DESCRIPTION_TERMS]) == []
    assert len(await _search(client, q="crossing")) == 1
    assert len(await _search(client, tag="zebra crossing")) == 1

    # An edit keeps the same bound, with its own first words.
    later = " ".join(reversed(vocabulary))
    response = await client.put(
        f"/api/v1/photos/{photo['id']}", json={"description": later}, headers=owner.headers
    )
    assert response.status_code == 200
    assert len(await _search(client, q=vocabulary[-1])) == 1
    assert await _search(client, q=vocabulary[0]) == []
    stored = await Photo.get(photo["id"])
    assert stored is not None and len(stored.search_terms) == MAX_DESCRIPTION_TERMS + 3


async def test_taken_sorts_put_photos_without_a_time_last(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    from beanie import PydanticObjectId

    from tests.media import samples

    def taken(when: str | None, offset: str | None = None) -> bytes:
        if when is None:
            return samples.jpeg()
        exif = samples.camera_exif(**{"0x9003": when, "0x9011": offset, "0x9291": None})
        return samples.camera_jpeg_with_exif(64, 48, 1, exif)

    owner = await users.create()
    # In upload order, so in _id order: ties go by it.
    for description, content in (
        ("Late", taken("2024:06:01 12:34:56", "+02:00")),
        ("Plain", taken(None)),
        ("Early", taken("2020:01:01 08:00:00", "+01:00")),
        ("Same moment", taken("2024:06:01 10:34:56", "+00:00")),
        ("Uploaded before v1.1", taken(None)),
        ("Naive", taken("2022:03:03 03:03:03")),
    ):
        photo = await photos.upload(owner, content, description=f"{description} harbour")
        if description == "Uploaded before v1.1":  # as stored before these fields existed
            await collection(Photo).update_one(
                {"_id": PydanticObjectId(str(photo["id"]))},
                {"$unset": {"taken_at": "", "taken_at_known": "", "camera": ""}},
            )
    newest = ["Same moment", "Late", "Naive", "Early", "Uploaded before v1.1", "Plain"]
    oldest = ["Early", "Naive", "Late", "Same moment", "Plain", "Uploaded before v1.1"]
    expected = {"taken_newest": newest, "taken_oldest": oldest}
    for sort, order in expected.items():
        described = [f"{name} harbour" for name in order]
        assert await _search(client, sort=sort) == described
        assert await _search(client, owner, sort=sort, owner=owner.username) == described
        assert await _search(client, sort=sort, q="harbour") == described
        assert await _search(client, owner, sort=sort, q="harbour", owner=owner.username) == (
            described
        )
        pages = [await _search(client, sort=sort, limit=2, offset=at) for at in (0, 2, 4)]
        assert [name for page in pages for name in page] == described
