"""Link policies over HTTP: expiry, view limits, passwords with a real cookie, and My links."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI

from photoshare.clock import utcnow
from photoshare.config import Settings
from photoshare.db import collection
from photoshare.links import service
from photoshare.links.models import Link
from photoshare.links.proofs import PROOF_COOKIE, LinkProofs
from photoshare.links.schemas import LinkPolicy
from photoshare.migrations import LINK_POLICIES
from photoshare.runtime import Runtime
from photoshare.users.models import SiteClaim, User
from tests.factories import Account, PhotoFactory, UserFactory
from tests.index_coverage import RECORDER
from tests.media import samples
from tests.servers import running_app

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
TRANSFORMATION = "c_fill,w_64,h_64/f_png"


@pytest.fixture
async def browser(app: FastAPI, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client on the public base URL, as a phone opening Link.url: it keeps cookies."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url=settings.base_url, headers=HTML
    ) as http:
        yield http


async def share(
    client: httpx.AsyncClient, account: Account, photo_id: object, **policy: Any
) -> dict[str, Any]:
    """Make a link to the photo with ``policy`` and return the Link."""
    response = await client.post(
        f"/api/v1/photos/{photo_id}/links",
        json={"transformation": TRANSFORMATION, **policy},
        headers=account.headers,
    )
    assert response.status_code == 201, response.text
    link: dict[str, Any] = response.json()
    return link


async def link_as_shown(client: httpx.AsyncClient, link: dict[str, Any]) -> dict[str, Any]:
    """The link as GET /api/v1/links/{id} shows it now."""
    answer = await client.get(f"/api/v1/links/{link['id']}")
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json()
    return shown


def path_of(link: dict[str, Any]) -> str:
    return str(urlsplit(link["url"]).path)


async def shared_photo(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> tuple[Account, dict[str, Any]]:
    owner = await users.create()
    photo = await photos.upload(owner, samples.jpeg(320, 240))
    return owner, photo


async def set_link(link: dict[str, Any], **fields: Any) -> None:
    """Change a stored link directly (what time or other clients would have done)."""
    with RECORDER.quiet():
        await collection(Link).update_one({"_id": PydanticObjectId(link["id"])}, {"$set": fields})


async def test_a_policy_always_makes_a_new_link_and_never_shows_the_password(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner, photo = await shared_photo(client, users, photos)
    plain = await share(client, owner, photo["id"])
    again = await client.post(
        f"/api/v1/photos/{photo['id']}/links",
        json={"transformation": TRANSFORMATION},
        headers=owner.headers,
    )
    assert again.status_code == 200 and again.json()["id"] == plain["id"]
    expires = (utcnow() + timedelta(days=2)).isoformat()
    first = await share(client, owner, photo["id"], password="open sesame", max_views=5)
    second = await share(client, owner, photo["id"], expires_at=expires)
    assert len({plain["id"], first["id"], second["id"]}) == 3
    assert plain["has_password"] is False and plain["views"] == 0
    assert (plain["expires_at"], plain["max_views"], plain["album_id"]) == (None, None, None)
    assert first["has_password"] is True and first["max_views"] == 5 and first["views"] == 0
    assert second["expires_at"].startswith(expires[:19]) and second["has_password"] is False
    for shown in (first, (await link_as_shown(client, first))):
        assert "password" not in shown and "password_hash" not in shown
        assert "open sesame" not in str(shown) and "argon2" not in str(shown)
    # The plain link is still the one plain link.
    listed = (await client.get(f"/api/v1/photos/{photo['id']}/links")).json()
    assert listed["total"] == 3


@pytest.mark.parametrize(
    "policy",
    [
        {"expires_at": "2020-01-01T00:00:00Z"},
        {"expires_at": "2999-01-01T00:00:00"},  # no timezone
        {"expires_at": "tomorrow"},
        {"password": "short"},
        {"password": "x" * 129},
        {"max_views": 0},
        {"max_views": 1_000_001},
        {"max_views": "many"},
    ],
)
async def test_a_bad_policy_is_422_and_makes_no_link(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory, policy: dict[str, Any]
) -> None:
    owner, photo = await shared_photo(client, users, photos)
    response = await client.post(
        f"/api/v1/photos/{photo['id']}/links",
        json={"transformation": TRANSFORMATION, **policy},
        headers=owner.headers,
    )
    assert response.status_code == 422
    assert "x" * 129 not in response.text
    listed = (await client.get(f"/api/v1/photos/{photo['id']}/links")).json()
    assert listed["total"] == 0


async def test_an_expired_link_is_410_json_for_clients_and_a_page_for_browsers(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner, photo = await shared_photo(client, users, photos)
    link = await share(
        client, owner, photo["id"], expires_at=(utcnow() + timedelta(hours=1)).isoformat()
    )
    assert (await client.get(path_of(link))).status_code == 200
    await set_link(link, expires_at=utcnow() - timedelta(seconds=1))

    gone = await client.get(path_of(link))
    assert gone.status_code == 410
    assert gone.json() == {"detail": "This link has expired"}
    page = await client.get(path_of(link), headers=HTML)
    assert page.status_code == 410
    assert page.headers["content-type"].startswith("text/html")
    assert "This link no longer works" in page.text and "<script" not in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert page.headers["cache-control"] == "no-store"
    head = await client.head(path_of(link))
    assert head.status_code == 410 and head.content == b""
    # The link's JSON and QR code work as before.
    shown = await link_as_shown(client, link)
    assert shown["views"] == 1
    assert (await client.get(f"/api/v1/links/{link['id']}/qr")).status_code == 200


async def test_password_flow_with_a_real_cookie(
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    users: UserFactory,
    photos: PhotoFactory,
) -> None:
    owner, photo = await shared_photo(client, users, photos)
    link = await share(client, owner, photo["id"], password="a <b>secret</b>")

    # An API client learns what to do; a browser gets the form, posting to Link.url.
    asked = await client.get(path_of(link))
    assert asked.status_code == 401
    assert "password" in asked.json()["detail"]
    form = await browser.get(link["url"])
    assert form.status_code == 401
    assert form.headers["content-type"].startswith("text/html")
    assert f'<form method="post" action="{link["url"]}">' in form.text
    assert 'name="password"' in form.text and "<script" not in form.text
    assert "form-action 'self' http://127.0.0.1:8000" in form.headers["content-security-policy"]

    wrong = await browser.post(link["url"], data={"password": "not it at all"})
    assert wrong.status_code == 401
    assert "The password is not right" in wrong.text and 'name="password"' in wrong.text
    assert PROOF_COOKIE not in browser.cookies

    right = await browser.post(link["url"], data={"password": "a <b>secret</b>"})
    assert right.status_code == 303
    assert right.headers["location"] == link["url"]
    cookie = right.headers["set-cookie"]
    assert f"Path={path_of(link)}" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Max-Age=86400" in cookie
    assert "Secure" not in cookie  # the base URL is http here

    # The cookie jar carries the proof back: the browser sees the image, counted once.
    image = await browser.get(link["url"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.headers["cache-control"] == "private, no-cache"
    assert (await browser.get(link["url"])).status_code == 200
    shown = await link_as_shown(client, link)
    assert shown["views"] == 2 and shown["last_viewed_at"] is not None
    # Without the cookie it is locked again.
    assert (await client.get(path_of(link))).status_code == 401


async def test_a_tampered_expired_or_borrowed_cookie_proves_nothing(
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    users: UserFactory,
    photos: PhotoFactory,
    settings: Settings,
) -> None:
    owner, photo = await shared_photo(client, users, photos)
    mine = await share(client, owner, photo["id"], password="first password")
    other = await share(client, owner, photo["id"], password="second password")
    right = await browser.post(mine["url"], data={"password": "first password"})
    assert right.status_code == 303
    proof = browser.cookies[PROOF_COOKIE]
    assert (await browser.get(mine["url"])).status_code == 200

    expires, _, mac = proof.partition(".")
    later = str(int(expires) + 3600)
    stale = LinkProofs(settings.resolve_secret_key(), timedelta(hours=-1))
    stored = await _link(mine)
    forged = {
        "tampered mac": f"{expires}.{mac[:-2]}xx",
        "tampered expiry": f"{later}.{mac}",
        "expired": stale.issue(stored),
        "garbage": "12ab.%%%",
        "another key": LinkProofs("not the secret", timedelta(hours=1)).issue(stored),
    }
    for name, value in forged.items():
        answer = await client.get(path_of(mine), cookies={PROOF_COOKIE: value})
        assert answer.status_code == 401, name
    # Not even ASCII (a browser sends what the jar holds, as UTF-8 bytes).
    odd = {"Cookie": f"{PROOF_COOKIE}=²³.é".encode()}
    assert (await client.get(path_of(mine), headers=odd)).status_code == 401  # type: ignore[arg-type]
    # The proof of one link does not open another.
    borrowed = await client.get(path_of(other), cookies={PROOF_COOKIE: proof})
    assert borrowed.status_code == 401
    assert (await client.get(path_of(mine), cookies={PROOF_COOKIE: proof})).status_code == 200


async def _link(link: dict[str, Any]) -> Link:
    stored = await Link.get(PydanticObjectId(link["id"]))
    assert stored is not None
    return stored


@pytest.fixture
def settings(make_settings: Any) -> Settings:
    # Few allowed failures, so the throttle test reaches its limit quickly.
    built: Settings = make_settings(login_max_failures_per_account=3)
    return built


async def test_wrong_passwords_are_throttled_like_logins(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner, photo = await shared_photo(client, users, photos)
    link = await share(client, owner, photo["id"], password="the right one")
    for _ in range(3):
        wrong = await client.post(path_of(link), data={"password": "a wrong guess"})
        assert wrong.status_code == 401
    throttled = await client.post(path_of(link), data={"password": "the right one"})
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    assert "wrong passwords" in throttled.json()["detail"]
    page = await client.post(path_of(link), data={"password": "a wrong guess"}, headers=HTML)
    assert page.status_code == 429 and "<form" not in page.text
    # Another link's guesses are counted apart.
    other = await share(client, owner, photo["id"], password="the right one")
    assert (
        await client.post(path_of(other), data={"password": "the right one"})
    ).status_code == 303


async def test_twenty_parallel_views_of_a_two_view_link_show_two_images(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner, photo = await shared_photo(client, users, photos)
    link = await share(client, owner, photo["id"], max_views=2)
    answers = await asyncio.gather(*(client.get(path_of(link)) for _ in range(20)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * 2 + [410] * 18
    images = [answer for answer in answers if answer.status_code == 200]
    assert all(answer.headers["content-type"] == "image/png" for answer in images)
    assert all(len(answer.content) > 0 for answer in images)
    shown = await link_as_shown(client, link)
    assert shown["views"] == 2
    gone = await client.get(path_of(link), headers=HTML)
    assert gone.status_code == 410 and "viewed as many times" in gone.text


async def test_a_304_passes_the_gate_but_is_not_a_view(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner, photo = await shared_photo(client, users, photos)
    link = await share(client, owner, photo["id"], max_views=2)
    first = await client.get(path_of(link))
    assert first.status_code == 200
    for _ in range(3):
        cached = await client.get(path_of(link), headers={"If-None-Match": first.headers["etag"]})
        assert cached.status_code == 304
    assert (await link_as_shown(client, link))["views"] == 1
    assert (await client.get(path_of(link))).status_code == 200
    # Used up: not even a revalidation gets through.
    late = await client.get(path_of(link), headers={"If-None-Match": first.headers["etag"]})
    assert late.status_code == 410


async def test_a_head_passes_the_gate_but_is_not_a_view(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner, photo = await shared_photo(client, users, photos)
    link = await share(client, owner, photo["id"], max_views=1)
    for _ in range(3):
        probe = await client.head(path_of(link))
        assert probe.status_code == 200 and probe.headers["content-type"] == "image/png"
    assert (await link_as_shown(client, link))["views"] == 0
    assert (await client.get(path_of(link))).status_code == 200
    assert (await client.head(path_of(link))).status_code == 410


async def test_a_password_link_used_up_stays_quiet_until_the_password(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner, photo = await shared_photo(client, users, photos)
    link = await share(client, owner, photo["id"], password="quiet please", max_views=1)
    await set_link(link, views=1)
    assert (await client.get(path_of(link))).status_code == 401
    # Nothing to unlock: the form says so rather than taking a guess.
    assert (await client.post(path_of(link), data={"password": "whatever!"})).status_code == 410


async def test_my_links_are_the_callers_newest_first(
    app: FastAPI, client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner, photo = await shared_photo(client, users, photos)
    friend = await users.create()
    assert (await client.get("/api/v1/users/me/links")).status_code == 401
    made = [
        await share(client, friend, photo["id"], max_views=3),
        await share(client, friend, photo["id"], password="friends only"),
        await share(client, owner, photo["id"], max_views=9),
    ]
    album_link = await _album_link(app, friend, password="album secret")

    mine = await client.get("/api/v1/users/me/links", headers=friend.headers)
    assert mine.status_code == 200
    body = mine.json()
    assert body["total"] == 3 and (body["limit"], body["offset"]) == (20, 0)
    assert [item["id"] for item in body["items"]] == [
        str(album_link.id),
        made[1]["id"],
        made[0]["id"],
    ]
    album_item = body["items"][0]
    assert album_item["album_id"] is not None and album_item["photo_id"] is None
    assert album_item["has_password"] is True and album_item["views"] == 0
    assert all(item["can_delete"] for item in body["items"])
    page = await client.get("/api/v1/users/me/links?limit=1&offset=1", headers=friend.headers)
    assert [item["id"] for item in page.json()["items"]] == [made[1]["id"]]
    # The photo's owner may delete a friend's link to it, which the friend's list shows.
    theirs = (await client.get(f"/api/v1/links/{made[0]['id']}", headers=owner.headers)).json()
    assert theirs["can_delete"] is True
    stranger = await users.create()
    other = (await client.get(f"/api/v1/links/{made[0]['id']}", headers=stranger.headers)).json()
    assert other["can_delete"] is False


async def _album_link(app: FastAPI, user: Account, **policy: Any) -> Link:
    """An album link made as the album links route makes one (the album id is made up)."""
    runtime: Runtime = app.state.runtime
    creator = await _user(user)
    return await service.create_for_album(
        runtime, PydanticObjectId(), creator, LinkPolicy.model_validate(policy)
    )


async def _user(account: Account) -> User:
    with RECORDER.quiet():
        found = await User.find_one(User.username == account.username)
    assert found is not None
    return found


async def test_album_links_pass_the_same_gate_and_never_collide(
    app: FastAPI, client: httpx.AsyncClient, browser: httpx.AsyncClient, users: UserFactory
) -> None:
    owner = await users.create()
    album_id = PydanticObjectId()
    runtime: Runtime = app.state.runtime
    creator = await _user(owner)
    links = [
        await service.create_for_album(runtime, album_id, creator, LinkPolicy()) for _ in range(2)
    ]
    locked = await service.create_for_album(
        runtime, album_id, creator, LinkPolicy(password="album secret")
    )
    assert len({link.slug for link in [*links, locked]}) == 3
    url = f"{runtime.settings.base_url}/s/{locked.slug}"
    assert (await browser.get(url)).status_code == 401
    assert (await browser.post(url, data={"password": "album secret"})).status_code == 303
    # Past the gate, the album's page is the albums domain's to serve.
    assert (await browser.get(url)).status_code == 404
    shown = (await client.get(f"/api/v1/links/{locked.id}")).json()
    assert shown["album_id"] == str(album_id) and shown["views"] == 0
    assert (await client.get(f"/api/v1/links/{locked.id}/qr")).status_code == 200

    await service.delete_for_album(album_id)
    assert (await client.get(f"/api/v1/links/{locked.id}")).status_code == 404


async def test_link_urls_document_the_gate(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    shown = paths["/s/{slug}"]["get"]["responses"]
    assert {"200", "304", "401", "410"} <= set(shown)
    unlock = paths["/s/{slug}"]["post"]["responses"]
    assert {"303", "401", "410", "429"} <= set(unlock)
    assert "200" not in unlock
    assert "get" in paths["/api/v1/users/me/links"]


async def test_a_v1_0_database_takes_policy_links_after_a_restart(settings: Settings) -> None:
    async with running_app(settings) as client:
        owner, photo = await shared_photo(client, UserFactory(client), PhotoFactory(client))
        plain = await share(client, owner, photo["id"])
        with RECORDER.quiet():
            # As v1.0 left it: its unique index, a link without the v1.1 fields, no record.
            await collection(Link).create_index(
                [("photo_id", 1), ("transformation", 1)],
                unique=True,
                name="photo_transformation_unique",
            )
            await collection(Link).update_one(
                {"_id": PydanticObjectId(plain["id"])},
                {"$unset": {"views": "", "standalone_key": "", "max_views": "", "expires_at": ""}},
            )
            await collection(SiteClaim).delete_one({"_id": LINK_POLICIES})

    async with running_app(settings) as client:
        old = await link_as_shown(client, plain)
        assert old["views"] == 0 and old["max_views"] is None and old["expires_at"] is None
        again = await client.post(
            f"/api/v1/photos/{photo['id']}/links",
            json={"transformation": TRANSFORMATION},
            headers=owner.headers,
        )
        assert again.status_code == 200 and again.json()["id"] == plain["id"]
        limited = [await share(client, owner, photo["id"], max_views=1) for _ in range(2)]
        assert len({plain["id"], *(link["id"] for link in limited)}) == 3
        assert (await client.get(path_of(plain))).status_code == 200


async def test_views_counted_in_memory_are_written_by_the_time_the_app_stops(
    settings: Settings,
) -> None:
    async with running_app(settings) as client:
        owner, photo = await shared_photo(client, UserFactory(client), PhotoFactory(client))
        link = await share(client, owner, photo["id"])
        for _ in range(4):
            assert (await client.get(path_of(link))).status_code == 200
        shown = await link_as_shown(client, link)
        assert shown["views"] == 4

    async with running_app(settings) as client:
        stored = await link_as_shown(client, link)
        assert stored["views"] == 4
        assert stored["last_viewed_at"] == shown["last_viewed_at"]


async def test_plain_links_count_views_from_the_hot_cache_and_store_them_within_seconds(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    """Shown at once by this process; written every second, unasked, for other workers."""
    owner, photo = await shared_photo(client, users, photos)
    link = await share(client, owner, photo["id"])
    for _ in range(2):
        answer = await client.get(path_of(link))
        assert answer.status_code == 200 and "immutable" in answer.headers["cache-control"]
    assert (await link_as_shown(client, link))["views"] == 2
    stored = 0
    for _ in range(50):
        await asyncio.sleep(0.1)
        with RECORDER.quiet():
            document = await collection(Link).find_one({"_id": PydanticObjectId(link["id"])})
        assert document is not None
        stored = document.get("views", 0)
        if stored == 2:
            break
    assert stored == 2
