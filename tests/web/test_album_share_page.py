"""An album's share link in a real browser: on a 390 px phone, behind its password, and
without JavaScript, the album's photos show in album order and nothing scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.media import samples
from tests.servers import serving, signed_in
from tests.web.browsers import OUTPUT_DIR, People, require_chromium

require_chromium()

PASSWORD = "correct horse 1"
LINK_PASSWORD = "dunes at dawn 7"
# One long word with no place to break: it must wrap, not push the page wider than the phone.
TITLE = "Sanddünenwanderungbeisonnenaufgangüberdemergchebbiundzurückzumcamp"
# Landscape, portrait and square photos of different colours, at camera-like sizes.
SHOTS = [
    ((3000, 2000), (200, 120, 40)),
    ((1500, 2250), (40, 110, 190)),
    ((1800, 1800), (60, 160, 80)),
]

SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth - window.innerWidth"
IMAGES_LOADED = """() => [...document.images].length > 0 &&
  [...document.images].every((img) => img.complete && img.naturalWidth > 0)"""
NATURAL_WIDTHS = "() => [...document.images].map((img) => img.naturalWidth)"


@dataclass(frozen=True)
class Shared:
    base: str
    photos: list[dict[str, Any]]  # in album order
    link: dict[str, Any]  # with a password
    open_link: dict[str, Any]  # without one


def share_an_album(base: str) -> Shared:
    """An account with a private album of three photos, reordered, and two links to it."""
    with signed_in(base, "nomad", PASSWORD) as api:
        uploaded = []
        for number, ((width, height), colour) in enumerate(SHOTS, start=1):
            files = {
                "file": (f"dune{number}.jpg", samples.jpeg(width, height, colour), "image/jpeg")
            }
            upload = api.post("/photos", files=files, data={"description": f"Dune {number}"})
            upload.raise_for_status()
            uploaded.append(upload.json())
        album = api.post("/albums", json={"title": TITLE, "visibility": "private"}).json()
        for photo in uploaded:
            api.post(
                f"/albums/{album['id']}/photos", json={"photo_id": photo["id"]}
            ).raise_for_status()
        order = [uploaded[2], uploaded[0], uploaded[1]]
        api.put(
            f"/albums/{album['id']}/photos", json={"photo_ids": [p["id"] for p in order]}
        ).raise_for_status()
        link = api.post(f"/albums/{album['id']}/links", json={"password": LINK_PASSWORD})
        open_link = api.post(f"/albums/{album['id']}/links", json={})
        link.raise_for_status()
        open_link.raise_for_status()
    return Shared(base, order, link.json(), open_link.json())


@pytest.fixture(scope="module")
def album_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(data_dir := tmp_path_factory.mktemp("share"), data_dir / "log") as server:
        yield server.base


@pytest.fixture(scope="module")
def shared(album_url: str) -> Shared:
    """The album, its photos and its links, on the module's server."""
    return share_an_album(album_url)


def previews(shared: Shared) -> list[dict[str, Any]]:
    return [photo["sizes"]["preview"] for photo in shared.photos]


def assert_shows_the_album(page: Page, shared: Shared) -> None:
    """The album's photos in album order, loaded, and nothing wider than the screen."""
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    images = page.get_by_role("img")
    expect(images).to_have_count(len(shared.photos))
    for image, photo, preview in zip(images.all(), shared.photos, previews(shared), strict=True):
        expect(image).to_have_attribute("src", preview["url"])
        expect(image).to_have_attribute("alt", photo["description"])
    # Lazy images load as the person scrolls to them.
    for image in images.all():
        image.scroll_into_view_if_needed()
    page.wait_for_function(IMAGES_LOADED)
    assert page.evaluate(NATURAL_WIDTHS) == [preview["width"] for preview in previews(shared)]
    assert page.evaluate(SIDEWAYS_SCROLL) <= 0
    # Each photo opens its full image.
    links = page.get_by_role("link").filter(has=page.get_by_role("img"))
    assert [link.get_attribute("href") for link in links.all()] == [p["url"] for p in shared.photos]


def test_a_password_album_link_on_a_phone(people: People, shared: Shared) -> None:
    phone = people.open(width=390, height=844)
    console: list[str] = []
    phone.on("console", lambda message: console.append(_describe(message)))

    asked = phone.goto(shared.link["url"])
    assert asked is not None and asked.status == 401
    expect(phone.get_by_role("img")).to_have_count(0)
    assert phone.evaluate(SIDEWAYS_SCROLL) <= 0
    phone.get_by_label("Password").fill(LINK_PASSWORD)
    phone.get_by_role("button").click()

    expect(phone).to_have_url(shared.link["url"])
    assert_shows_the_album(phone, shared)
    OUTPUT_DIR.mkdir(exist_ok=True)
    phone.screenshot(path=str(OUTPUT_DIR / "album-share-page-390.png"), full_page=True)
    # The strict policy blocked nothing the page needs (it would say so in the console).
    assert [line for line in console if "Content Security Policy" in line] == []
    assert people.page_errors == []


def test_the_page_works_without_javascript(people: People, shared: Shared) -> None:
    context = people.browser.new_context(
        base_url=shared.base, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    people.contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(10_000)

    answered = page.goto(shared.open_link["url"])

    assert answered is not None and answered.status == 200
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    images = page.get_by_role("img")
    expect(images).to_have_count(len(shared.photos))
    for image, preview in zip(images.all(), previews(shared), strict=True):
        image.scroll_into_view_if_needed()
        expect(image).to_have_attribute("src", preview["url"])
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") == preview["width"]


def _describe(message: ConsoleMessage) -> str:
    return f"{message.type}: {message.text}"
