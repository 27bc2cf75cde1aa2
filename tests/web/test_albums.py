"""Albums, link limits, My links and profiles in the JS album, in a real browser against the
real server: the flows of issue 17 the way people use them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import pyvips
from playwright.sync_api import Locator, Page, expect

from tests.servers import serving
from tests.web import steps
from tests.web.browsers import OUTPUT_DIR, People, require_chromium
from tests.web.steps import nav, status

require_chromium()

LINK_PASSWORD = "harbour secret 9"
# Three photos the album shows, in the order they are added.
HARBOUR = ("Boats at first light", "Harbour wall at noon", "Lanterns at dusk")
TINTS = ((210, 150, 60), (60, 130, 200), (120, 40, 140))


@pytest.fixture(scope="module")
def album_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`photoshare serve` in embedded mode on a free port."""
    data_dir = tmp_path_factory.mktemp("albums-data")
    with serving(data_dir, data_dir / "server.log") as server:
        yield server.base


def camera_jpeg(tint: tuple[int, int, int]) -> bytes:
    """A 1600x1200 JPEG: a tinted ramp under noise, so its display sizes are real work."""
    width, height = 1600, 1200
    xyz = pyvips.Image.xyz(width, height)
    ramp = xyz[0] * (0.4 / width) + xyz[1] * (0.2 / height) + 0.7
    noise = pyvips.Image.gaussnoise(width, height, sigma=12, mean=0)
    image = (ramp * list(tint) + noise).cast("uchar").copy(interpretation="srgb")
    data: bytes = image.jpegsave_buffer(Q=85)
    return data


class Api:
    """One person's account on the server, driven over HTTP to set the scene quickly."""

    def __init__(self, base: str, username: str, *, sign_up: bool = True) -> None:
        self.client = httpx.Client(base_url=f"{base}/api/v1", timeout=60)
        if sign_up:
            account = {
                "username": username,
                "email": f"{username}@example.com",
                "password": steps.PASSWORD,
            }
            self.client.post("/auth/signup", json=account).raise_for_status()
        login = self.client.post(
            "/auth/login", data={"username": username, "password": steps.PASSWORD}
        )
        login.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.client.close()

    def upload(self, description: str, tint: tuple[int, int, int]) -> dict[str, Any]:
        files = {"file": ("photo.jpg", camera_jpeg(tint), "image/jpeg")}
        answer = self.client.post("/photos", files=files, data={"description": description})
        answer.raise_for_status()
        return dict(answer.json())

    def album(self, title: str, visibility: str, photos: list[dict[str, Any]]) -> dict[str, Any]:
        made = self.client.post("/albums", json={"title": title, "visibility": visibility})
        made.raise_for_status()
        album = dict(made.json())
        for photo in photos:
            added = self.client.post(
                f"/albums/{album['id']}/photos", json={"photo_id": photo["id"]}
            )
            added.raise_for_status()
        return album


def album_photos(page: Page) -> Locator:
    return page.get_by_role("list", name="Photos in this album").get_by_role("listitem")


def expect_order(page: Page, descriptions: tuple[str, ...]) -> None:
    expect(album_photos(page)).to_have_count(len(descriptions))
    numbered = [f"{n}. {text}" for n, text in enumerate(descriptions, start=1)]
    expect(album_photos(page).locator(".photo-card__description")).to_have_text(numbered)


def add_to_album(page: Page, photo_url: str, album: str) -> None:
    page.goto(photo_url)
    picker = page.get_by_role("form", name="Add to one of your albums")
    picker.get_by_label("Album", exact=True).select_option(label=album)
    picker.get_by_role("button", name="Add to album").click()
    expect(status(page, f"Added to {album}.")).to_be_visible()


IMAGES_LOADED = "() => [...document.images].every((img) => img.complete && img.naturalWidth > 0)"


def screenshot(page: Page, name: str) -> None:
    """Save the whole page, once its images are in, to look at."""
    for image in page.locator("img").all():
        image.scroll_into_view_if_needed()
    page.wait_for_function(IMAGES_LOADED)
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / f"albums-{name}.png"), full_page=True)


def test_album_made_ordered_and_shared_with_a_password(people: People, album_url: str) -> None:
    alice = people.open()
    steps.sign_up(alice, "alice")
    with Api(album_url, "alice", sign_up=False) as api:
        photos = [api.upload(text, tint) for text, tint in zip(HARBOUR, TINTS, strict=True)]
    photo_urls = [f"/#/photo/{photo['id']}" for photo in photos]
    first, noon, dusk = HARBOUR

    # 1. A private album, made on the albums page.
    nav(alice).get_by_role("link", name="Albums").click()
    expect(alice.get_by_text("You have no albums yet")).to_be_visible()
    alice.get_by_label("Title").fill("Harbour days")
    alice.get_by_label("Description").fill("Three moments by the water")
    alice.get_by_label("Visibility").select_option("private")
    alice.get_by_role("button", name="Create album").click()
    expect(alice.get_by_role("heading", level=1, name="Harbour days")).to_be_visible()
    expect(status(alice, "The album “Harbour days” was created.")).to_be_visible()
    expect(alice.get_by_text("No photos in this album yet.")).to_be_visible()

    # 2. Three photos added from their pages with the picker; another album made inline.
    for url in photo_urls:
        add_to_album(alice, url, "Harbour days")
    alice.get_by_label("New album title").fill("Maybe later")
    alice.get_by_role("button", name="Create and add").click()
    expect(status(alice, "Added to Maybe later.")).to_be_visible()
    # Adding a photo twice is refused with the server's reason.
    picker = alice.get_by_role("form", name="Add to one of your albums")
    picker.get_by_label("Album", exact=True).select_option(label="Harbour days")
    picker.get_by_role("button", name="Add to album").click()
    expect(alice.locator(".picker").get_by_role("alert")).not_to_be_empty()
    nav(alice).get_by_role("link", name="Albums").click()
    cards = alice.get_by_role("list", name="Your albums").get_by_role("listitem")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="Harbour days")).to_contain_text("3 photos")
    expect(cards.filter(has_text="Harbour days")).to_contain_text("private")
    alice.get_by_role("link", name="Harbour days").click()
    expect_order(alice, HARBOUR)
    album_page = alice.url

    # 3. Reorder: drag the last photo onto the first, then move one down from the keyboard.
    album_photos(alice).nth(2).drag_to(album_photos(alice).nth(0))
    expect_order(alice, (dusk, first, noon))
    expect(status(alice, f"Moved {dusk} to position 1 of 3.")).to_be_visible()
    alice.get_by_role("button", name=f"Move {first} down").focus()
    alice.keyboard.press("Enter")
    expect_order(alice, (dusk, noon, first))
    # The focus stays with the moved photo, so the keyboard can go on moving it.
    expect(alice.get_by_role("button", name=f"Move {first} up")).to_be_focused()
    alice.get_by_role("button", name=f"Set {noon} as the cover").click()
    expect(status(alice, f"{noon} is now the cover.")).to_be_visible()
    expect(album_photos(alice).nth(1).locator(".badge")).to_have_text("cover")
    # The server kept the order.
    alice.reload()
    expect_order(alice, (dusk, noon, first))
    screenshot(alice, "album-page")

    # 4. Shared with a password, a view limit and an expiry: the link and its QR code.
    share = alice.get_by_role("form", name="Share this album")
    share.get_by_label("Link password").fill(LINK_PASSWORD)
    share.get_by_label("Max views").fill("5")
    tomorrow = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    share.get_by_label("Expires at").fill(tomorrow)
    share.get_by_role("button", name="Create share link").click()
    shared = alice.get_by_role("link", name=re.compile(r"^http:\/\/127\.0\.0\.1:\d+\/s\/"))
    expect(shared).to_be_visible()
    link_url = shared.inner_text()
    expect(alice.get_by_text("0 of 5 views")).to_be_visible()
    qr = alice.get_by_role("img", name=f"QR code for {link_url}")
    alice.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    assert steps.decode_qr(qr.screenshot()) == link_url

    # 5. Someone else, on a phone, opens the link: the password, then the photos in order.
    phone = people.open(width=390, height=844)
    phone.goto(link_url)
    phone.get_by_label("Password").fill("not the password")
    phone.get_by_role("button", name="Open").click()
    expect(phone.get_by_label("Password")).to_be_visible()
    phone.get_by_label("Password").fill(LINK_PASSWORD)
    phone.get_by_role("button", name="Open").click()
    expect(phone.get_by_role("heading", name="Harbour days")).to_be_visible()
    images = phone.locator("main img")
    expect(images).to_have_count(3)
    assert [image.get_attribute("alt") for image in images.all()] == [dusk, noon, first]
    for image in images.all():
        image.scroll_into_view_if_needed()
        phone.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
    assert steps.page_width(phone) <= 390
    screenshot(phone, "shared-album-phone")

    # 6. My links counts that view; revoking the link ends it for everyone.
    nav(alice).get_by_role("link", name="My links").click()
    mine = alice.get_by_role("list", name="Your links").get_by_role("listitem")
    expect(mine).to_have_count(1)
    for fact in ("1 of 5 views", "last viewed", "expires", "password"):
        expect(mine).to_contain_text(fact)
    screenshot(alice, "my-links")
    mine.get_by_role("button", name="Revoke").click()
    mine.get_by_role("button", name="Yes, revoke the link").click()
    expect(mine).to_have_count(0)
    expect(alice.get_by_text("You have no share links yet.")).to_be_visible()
    assert httpx.get(link_url).status_code in (404, 410)

    # 7. The owner's album pages fit a phone too.
    steps.log_in(phone, "alice")
    expect(nav(phone).get_by_role("link", name="alice")).to_be_visible()
    for url in ("/#/albums", album_page, "/#/links"):
        phone.goto(url)
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        assert steps.page_width(phone) <= 390, url
        assert steps.unlabelled_controls(phone) == [], url
        expect(phone.get_by_text("null", exact=True)).to_have_count(0)
    assert people.dialogs == []
    assert people.page_errors == []


def test_profile_shows_the_photos_and_public_albums(people: People, album_url: str) -> None:
    with Api(album_url, "marin") as marin:
        photos = [marin.upload(text, tint) for text, tint in zip(HARBOUR, TINTS, strict=True)]
        marin.album("Open water", "public", photos[:2])
        marin.album("Just for me", "private", photos[2:])
        marin.album("Friends only", "unlisted", photos[:1])
    with Api(album_url, "visitor"):
        pass

    def profile(page: Page) -> None:
        page.goto("/#/user/marin")
        expect(page.get_by_role("heading", level=1, name="marin")).to_be_visible()

    def albums(page: Page) -> Locator:
        return page.get_by_role("list", name="Albums by marin").get_by_role("listitem")

    def photo_cards(page: Page) -> Locator:
        return page.get_by_role("list", name="Photos by marin").get_by_role("listitem")

    # Anyone, logged in or not, sees marin's photos, newest first, and the public album only.
    anonymous = people.open(width=390, height=844)
    visitor = people.open()
    steps.log_in(visitor, "visitor")
    expect(nav(visitor).get_by_role("link", name="visitor")).to_be_visible()
    for page in (anonymous, visitor):
        profile(page)
        expect(photo_cards(page)).to_have_count(3)
        expect(photo_cards(page).locator(".photo-card__description")).to_have_text(
            list(reversed(HARBOUR))
        )
        expect(albums(page)).to_have_count(1)
        expect(albums(page)).to_contain_text("Open water")
        expect(albums(page)).to_contain_text("2 photos")
        expect(page.get_by_text("Just for me")).to_have_count(0)
        expect(page.get_by_text("Friends only")).to_have_count(0)
    assert steps.page_width(anonymous) <= 390
    screenshot(anonymous, "profile-phone")
    # The public album opens for them, read only.
    anonymous.get_by_role("link", name="Open water").click()
    expect_order(anonymous, HARBOUR[:2])
    expect(anonymous.get_by_role("button", name=re.compile("^Move "))).to_have_count(0)
    expect(anonymous.get_by_role("form", name="Share this album")).to_have_count(0)

    # The owner sees every album of theirs, each marked with who can see it.
    owner = people.open()
    steps.log_in(owner, "marin")
    expect(nav(owner).get_by_role("link", name="marin")).to_be_visible()
    profile(owner)
    expect(owner.get_by_role("heading", name="Your albums")).to_be_visible()
    expect(albums(owner)).to_have_count(3)
    expect(albums(owner).filter(has_text="Just for me")).to_contain_text("private")
    expect(albums(owner).filter(has_text="Friends only")).to_contain_text("unlisted")
    assert people.page_errors == []


def test_my_links_shows_views_and_limits_of_a_photo_link(people: People, album_url: str) -> None:
    rowan = people.open()
    steps.sign_up(rowan, "rowan")
    with Api(album_url, "rowan", sign_up=False) as api:
        photo = api.upload("Gulls over the pier", TINTS[0])
    rowan.goto(f"/#/photo/{photo['id']}")

    # The link builder takes the limits; a limited link is not previewed (that would be a view).
    builder = rowan.get_by_role("form", name="Transformation builder")
    builder.get_by_role("checkbox", name="Effect").check()
    builder.get_by_label("Max views").fill("2")
    builder.get_by_role("button", name="Create link").click()
    result = rowan.locator(".link-result")
    expect(result.get_by_role("heading")).to_have_text("Your new link")
    expect(result).to_contain_text("No preview here")
    expect(result).to_contain_text("0 of 2 views")
    link_url = result.get_by_role("link", name=re.compile(r"\/s\/")).inner_text()
    # With a limit, the same transformation again is a new link, not the old one.
    builder.get_by_role("checkbox", name="Effect").check()
    builder.get_by_role("button", name="Create link").click()
    links = rowan.get_by_role("list", name="Share links").get_by_role("listitem")
    expect(links).to_have_count(2)
    expect(builder.get_by_label("Max views")).to_have_value("")

    # Two people open it; the third is too late.
    for _ in range(2):
        viewer = people.open()
        viewer.goto(link_url)
        assert viewer.evaluate("document.images[0].naturalWidth") > 0
    assert httpx.get(link_url).status_code == 410

    nav(rowan).get_by_role("link", name="My links").click()
    mine = rowan.get_by_role("list", name="Your links").get_by_role("listitem")
    expect(mine).to_have_count(2)
    used = mine.filter(has_text="2 of 2 views")
    expect(used).to_contain_text("used up")
    expect(used).to_contain_text("last viewed")
    expect(used).to_contain_text("e_grayscale")
    # The other link has no limit, so it never runs out.
    expect(mine.filter(has_text="used up")).to_have_count(1)
    expect(mine.filter(has_text=" of ")).to_have_count(1)
    screenshot(rowan, "my-links-used-up")
    assert people.page_errors == []


def test_album_edited_emptied_and_deleted_while_its_photos_stay(
    people: People, album_url: str
) -> None:
    with Api(album_url, "sasha") as api:
        photos = [api.upload(text, tint) for text, tint in zip(HARBOUR[:2], TINTS[:2], strict=True)]
        album = api.album("Pier", "public", photos)
    sasha = people.open(width=390, height=844)
    steps.log_in(sasha, "sasha")
    expect(nav(sasha).get_by_role("link", name="sasha")).to_be_visible()
    sasha.goto(f"/#/album/{album['id']}")
    expect_order(sasha, HARBOUR[:2])
    # Like the feed: each photo as its thumb, over its BlurHash painted in a canvas.
    for item, photo in zip(album_photos(sasha).all(), photos, strict=True):
        expect(item.locator("img")).to_have_attribute("src", photo["sizes"]["thumb"]["url"])
        expect(item.locator("canvas.picture__placeholder")).to_have_count(1)
    screenshot(sasha, "album-page-phone")

    sasha.get_by_role("button", name="Edit album").click()
    form = sasha.get_by_role("form", name="Edit album")
    form.get_by_label("Title").fill("Pier at night")
    form.get_by_label("Visibility").select_option("unlisted")
    form.get_by_role("button", name="Save album").click()
    expect(status(sasha, "The album was saved.")).to_be_visible()
    expect(sasha.get_by_role("heading", level=1)).to_have_text("Pier at night")
    expect(sasha.locator(".album-head .badge")).to_have_text("unlisted")

    first, noon = HARBOUR[:2]
    sasha.get_by_role("button", name=f"Remove {first} from the album").click()
    expect(status(sasha, f"{first} was removed from the album; the photo stays.")).to_be_visible()
    expect_order(sasha, (noon,))
    expect(sasha.locator(".album-head")).to_contain_text("1 photo ·")
    # The keyboard is not lost: it lands on the photo that took the removed one's place.
    expect(sasha.get_by_role("button", name=f"Remove {noon} from the album")).to_be_focused()
    assert steps.page_width(sasha) <= 390

    sasha.get_by_role("button", name="Delete album").click()
    sasha.get_by_role("button", name="Yes, delete the album").click()
    expect(sasha.get_by_role("heading", level=1, name="Your albums")).to_be_visible()
    expect(status(sasha, "The album “Pier at night” was deleted; its photos stay.")).to_be_visible()
    expect(sasha.get_by_text("You have no albums yet")).to_be_visible()
    sasha.goto(f"/#/photo/{photos[0]['id']}")
    expect(sasha.get_by_role("heading", name="Photo by sasha")).to_be_visible()
    sasha.goto(f"/#/album/{album['id']}")
    expect(sasha.get_by_role("heading", level=1, name="Not found")).to_be_visible()
    assert people.page_errors == []
