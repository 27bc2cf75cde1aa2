"""The JS album in a real browser against the real server, driven the way people use it."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Locator, Page, Route, expect

from tests.servers import serving
from tests.web.browsers import People, require_chromium
from tests.web.steps import (
    alert,
    decode_qr,
    log_in,
    nav,
    page_width,
    sign_up,
    status,
    unlabelled_controls,
    upload_photo,
)

require_chromium()

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def album_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`photoshare serve` in embedded mode on a free port, stopped with SIGINT afterwards."""
    data_dir = tmp_path_factory.mktemp("album-data")
    # A file, not a pipe: nobody reads the log while the tests run, and a full pipe blocks.
    with serving(data_dir, data_dir / "server.log") as server:
        yield server.base


@pytest.fixture
def jpeg(tmp_path: Path) -> Path:
    """A real 200x150 JPEG with colours, so a grayscale link visibly differs."""
    image = Image.new("RGB", (200, 150), (30, 120, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 120, 100), fill=(240, 160, 20))
    draw.ellipse((110, 60, 190, 140), fill=(200, 30, 60))
    path = tmp_path / "harbour.jpg"
    image.save(path, "JPEG", quality=90)
    return path


def comments(page: Page) -> Locator:
    return page.get_by_role("list", name="Comments")


def comment_item(page: Page, text: str) -> Locator:
    return comments(page).get_by_role("listitem").filter(has_text=text)


def test_people_share_rate_discuss_and_administer(people: People, jpeg: Path) -> None:
    alice = people.open()
    bob = people.open()

    # 1. The first account becomes the admin; a second person signs up in their own browser.
    alice.goto("/")
    expect(alice.get_by_text("No photos yet")).to_be_visible()
    sign_up(alice, "alice")
    expect(nav(alice).get_by_role("link", name="Admin")).to_be_visible()
    sign_up(bob, "bob")
    expect(nav(bob).get_by_role("link", name="Admin")).to_have_count(0)

    # 2. Upload: the server's messages are shown as they are, then a good upload succeeds.
    nav(alice).get_by_role("link", name="Upload").click()
    not_an_image = jpeg.with_name("notes.jpg")
    not_an_image.write_text("just some text")
    alice.get_by_label("Photo", exact=True).set_input_files(not_an_image)
    alice.get_by_role("button", name="Upload").click()
    expect(alert(alice, "Not an accepted image")).to_be_visible()

    alice.get_by_label("Photo", exact=True).set_input_files(jpeg)
    alice.get_by_label("Description").fill("Sunset over the old harbour")
    alice.get_by_label("Tags").fill("one, two, three, four, five, six")
    alice.get_by_role("button", name="Upload").click()
    expect(alert(alice, "at most 5 tags per photo, got 6")).to_be_visible()

    alice.get_by_label("Tags").fill("Harbour, sunset, Sea")
    alice.get_by_role("button", name="Upload").click()
    expect(alice.get_by_role("heading", name="Photo by alice")).to_be_visible()
    expect(status(alice, "Your photo was uploaded.")).to_be_visible()
    photo_url = alice.url
    assert re.search(r"#/photo/[0-9a-f]{24}$", photo_url)
    expect(alice.get_by_role("link", name="#harbour")).to_be_visible()

    # 3. The feed shows it to everyone; a tag chip and a keyword both find it.
    bob.goto("/")
    card = bob.get_by_role("list", name="Photos").get_by_role("listitem")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Sunset over the old harbour")
    bob.get_by_role("navigation", name="Tags").get_by_role("link", name=re.compile("^#sea")).click()
    expect(bob.get_by_role("heading", name="Photos tagged #sea")).to_be_visible()
    expect(card).to_have_count(1)
    bob.get_by_role("link", name="Clear filters").click()
    bob.get_by_label("Keywords").fill("harbour")
    bob.get_by_role("button", name="Search").click()
    expect(bob).to_have_url(re.compile(r"#/\?q=harbour$"))
    expect(card).to_contain_text("Sunset over the old harbour")
    bob.get_by_label("Keywords").fill("mountains")
    bob.get_by_role("button", name="Search").click()
    expect(bob.get_by_text("No photos match these filters.")).to_be_visible()
    # Only moderators and admins may filter by owner.
    expect(bob.get_by_label("Owner")).to_have_count(0)
    alice.goto("/")
    expect(alice.get_by_label("Owner")).to_be_visible()

    # 4. Comments: write one, edit it inline.
    alice.goto(photo_url)
    for control in ("Edit photo", "Delete photo"):
        expect(alice.get_by_role("button", name=control)).to_be_visible()
    alice.get_by_label("Add a comment").fill("Lovely light tonight")
    alice.get_by_role("button", name="Post comment").click()
    mine = comment_item(alice, "Lovely light tonight")
    expect(mine).to_be_visible()
    # Delete is for moderators and admins; alice is the admin, so she sees it on her own too.
    mine.get_by_role("button", name="Edit").click()
    alice.get_by_label("Edit your comment").fill("Lovely light this evening")
    alice.get_by_role("button", name="Save comment").click()
    edited = comment_item(alice, "Lovely light this evening")
    expect(edited).to_contain_text("(edited)")

    # 5. Markup in a comment is text, never HTML.
    bob.goto(photo_url)
    expect(comment_item(bob, "Lovely light this evening")).to_be_visible()
    expect(comment_item(bob, "Lovely light this evening").get_by_role("button")).to_have_count(0)
    bob.get_by_label("Add a comment").fill(XSS)
    bob.get_by_role("button", name="Post comment").click()
    expect(comments(bob).get_by_text(XSS, exact=True)).to_be_visible()
    expect(comments(bob).locator('img[src="x"]')).to_have_count(0)
    alice.reload()
    expect(comments(alice).get_by_text(XSS, exact=True)).to_be_visible()
    expect(comments(alice).locator("img")).to_have_count(0)

    # 6. Ratings: the other person rates once; the owner cannot.
    bob.get_by_role("button", name="Rate 4 stars").click()
    expect(bob.get_by_role("img", name="Rated 4.0 out of 5 by 1 person")).to_be_visible()
    bob.reload()
    bob.get_by_role("button", name="Rate 2 stars").click()
    expect(alert(bob, "You have already rated this photo")).to_be_visible()
    expect(alice.get_by_text("This is your photo, so you cannot rate it.")).to_be_visible()
    expect(alice.get_by_role("button", name=re.compile(r"^Rate \d"))).to_have_count(0)

    # 7. A grayscale share link: built, created, previewed, copied, and its QR code decodes.
    alice.context.grant_permissions(["clipboard-read", "clipboard-write"])
    builder = alice.get_by_role("form", name="Transformation builder")
    builder.get_by_role("checkbox", name="Effect").check()
    expect(builder.get_by_label("Transformation", exact=True)).to_have_value("e_grayscale")
    builder.get_by_role("button", name="Create link").click()
    result = alice.locator(".link-result")
    link_anchor = result.get_by_role("link", name=re.compile(r"^http:\/\/127\.0\.0\.1:\d+\/s\/"))
    expect(link_anchor).to_be_visible()
    link_url = link_anchor.inner_text()
    preview = result.get_by_role("img", name=re.compile("^Preview of the transformed photo"))
    qr = result.get_by_role("img", name=f"QR code for {link_url}")
    for image in (preview, qr):
        expect(image).to_be_visible()
        alice.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
    assert decode_qr(qr.screenshot()) == link_url
    result.get_by_role("button", name=f"Copy link {link_url}").click()
    expect(status(alice, "Link copied to the clipboard.")).to_be_visible()
    assert alice.evaluate("navigator.clipboard.readText()") == link_url
    links = alice.get_by_role("list", name="Share links")
    expect(links.get_by_role("listitem")).to_have_count(1)
    expect(links.get_by_role("listitem")).to_contain_text("e_grayscale")
    # Creating the same transformation again gives back the same link.
    builder.get_by_role("button", name="Create link").click()
    expect(result.get_by_role("heading")).to_have_text("This transformation already has a link")
    expect(links.get_by_role("listitem")).to_have_count(1)
    # Every operation of the builder writes the string the server keeps as canonical.
    builder.get_by_role("checkbox", name="Effect").uncheck()
    builder.get_by_role("checkbox", name="Resize").check()
    builder.get_by_label("Crop", exact=True).select_option("fill")
    builder.get_by_label("Width (px)", exact=True).fill("120")
    builder.get_by_label("Height (px)", exact=True).fill("120")
    builder.get_by_label("Gravity").select_option("auto")
    builder.get_by_role("checkbox", name="Round corners").check()
    builder.get_by_label("Circle or ellipse").check()
    builder.get_by_role("checkbox", name="Border").check()
    builder.get_by_label("Border colour").fill("#ff8800")
    builder.get_by_role("checkbox", name="Output format").check()
    builder.get_by_label("Format", exact=True).select_option("png")
    built = "c_fill,w_120,h_120,g_auto/r_max/bo_10px_solid_rgb:ff8800/f_png,q_auto"
    expect(builder.get_by_label("Transformation", exact=True)).to_have_value(built)
    builder.get_by_role("button", name="Create link").click()
    expect(result.get_by_role("heading")).to_have_text("Your new link")
    expect(links.get_by_role("listitem")).to_have_count(2)
    expect(builder.get_by_label("Transformation", exact=True)).to_have_value(built)
    alice.wait_for_function(
        "img => img.complete && img.naturalWidth > 0",
        arg=result.get_by_role("img", name=re.compile("^Preview")).element_handle(),
    )
    # The QR code points at the transformed image, served to anyone.
    bob.goto(link_url)
    assert bob.evaluate("document.images[0].naturalWidth") == 200

    # 8. The admin makes bob a moderator; the last admin cannot step down.
    nav(alice).get_by_role("link", name="Admin").click()
    alice.get_by_label("Role of bob").select_option("moderator")
    expect(status(alice, "bob is now a moderator.")).to_be_visible()
    alice.get_by_label("Role of alice").select_option("user")
    expect(alert(alice, "This is the last admin")).to_be_visible()
    expect(alice.get_by_label("Role of alice")).to_have_value("admin")
    alice.get_by_role("button", name="Ban alice").click()
    expect(alert(alice, "You cannot ban yourself")).to_be_visible()

    # 9. The moderator deletes a comment: the server says he may delete it but not edit it,
    # and that the photo is not his to change; the album shows exactly those controls.
    bob.goto(photo_url)
    target = comment_item(bob, "Lovely light this evening")
    expect(target.get_by_role("button", name="Delete")).to_be_visible()
    expect(target.get_by_role("button", name="Edit")).to_have_count(0)
    expect(comment_item(bob, XSS).get_by_role("button", name="Edit")).to_be_visible()
    for control in ("Edit photo", "Delete photo"):
        expect(bob.get_by_role("button", name=control)).to_have_count(0)
    target.get_by_role("button", name="Delete").click()
    target.get_by_role("button", name="Yes, delete the comment").click()
    expect(comment_item(bob, "Lovely light this evening")).to_have_count(0)
    bob.reload()
    expect(comments(bob).get_by_role("listitem")).to_have_count(1)
    expect(bob.get_by_role("heading", name="Comments (1)")).to_be_visible()

    # 10. A banned person is logged out and cannot log back in.
    carol = people.open()
    sign_up(carol, "carol")
    carol.get_by_role("link", name="Sunset over the old harbour").click()
    alice.get_by_label("Search users").fill("carol")
    alice.get_by_role("button", name="Search").click()
    alice.get_by_role("button", name="Ban carol").click()
    expect(status(alice, "carol is banned.")).to_be_visible()
    # Carol's open page still thinks she is logged in; her next write is refused, the refresh
    # fails too, and she is sent to log in.
    carol.get_by_label("Add a comment").fill("Still here?")
    carol.get_by_role("button", name="Post comment").click()
    expect(carol.get_by_role("heading", name="Log in")).to_be_visible()
    expect(status(carol, "Your session has ended; please log in again.")).to_be_visible()
    log_in(carol, "carol")
    expect(alert(carol, "This account has been banned")).to_be_visible()
    expect(comments(bob).get_by_text("Still here?")).to_have_count(0)
    alice.get_by_role("button", name="Unban carol").click()
    expect(status(alice, "carol is no longer banned.")).to_be_visible()
    carol.get_by_role("button", name="Log in").click()
    expect(status(carol, "Welcome back!")).to_be_visible()

    # 11. Logging out forgets the tokens.
    nav(bob).get_by_role("button", name="Log out").click()
    expect(status(bob, "You are logged out.")).to_be_visible()
    expect(nav(bob).get_by_role("link", name="Log in")).to_be_visible()
    assert bob.evaluate("sessionStorage.getItem('photoshare.tokens')") is None

    # 12. Markup never ran, and no script failed anywhere.
    assert people.dialogs == []
    assert people.page_errors == []


def test_concurrent_401s_spend_the_refresh_token_once(people: People, jpeg: Path) -> None:
    """Two requests that both see 401 share one refresh, retry, and the person stays in."""
    dora = people.open()
    sign_up(dora, "dora")
    nav(dora).get_by_role("link", name="Upload").click()
    # A slow connection, so the progress bar is seen moving while the bytes go out.
    noisy = jpeg.with_name("noise.jpg")
    Image.frombytes("RGB", (400, 400), os.urandom(400 * 400 * 3)).save(noisy, quality=95)
    network = dora.context.new_cdp_session(dora)
    network.send("Network.enable")
    slow = {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 250_000}
    network.send("Network.emulateNetworkConditions", slow)
    dora.get_by_label("Photo", exact=True).set_input_files(noisy)
    dora.get_by_role("button", name="Upload").click()
    progress = dora.get_by_role("progressbar", name="Upload progress")
    dora.wait_for_function("bar => bar.value > 0 && bar.value < 100", arg=progress.element_handle())
    network.send("Network.emulateNetworkConditions", {**slow, "uploadThroughput": -1})
    expect(dora.get_by_role("heading", name="Photo by dora")).to_be_visible()
    photo_url = dora.url
    tokens_before = dora.evaluate("sessionStorage.getItem('photoshare.tokens')")

    refreshes: list[str] = []
    dora.on(
        "request",
        lambda request: refreshes.append(request.url) if "/auth/refresh" in request.url else None,
    )
    refused: set[str] = set()

    def expired_once(route: Route) -> None:
        # The comments and the links of the photo load at the same time: both are told the
        # access token expired, once.
        kind = "comments" if "/comments" in route.request.url else "links"
        if kind in refused:
            route.continue_()
            return
        refused.add(kind)
        route.fulfill(status=401, json={"detail": "Token expired"})

    dora.route(re.compile(r"/api/v1/photos/[0-9a-f]+/(comments|links)\?"), expired_once)
    dora.goto("/")
    dora.goto(photo_url)
    expect(dora.get_by_role("heading", name="Comments (0)")).to_be_visible()
    expect(dora.get_by_text("No share links yet.")).to_be_visible()
    assert refused == {"comments", "links"}
    assert len(refreshes) == 1
    expect(nav(dora).get_by_role("link", name="dora")).to_be_visible()
    tokens_after = dora.evaluate("sessionStorage.getItem('photoshare.tokens')")
    assert tokens_after and tokens_after != tokens_before
    assert dora.evaluate("localStorage.length") == 0

    # The new pair works: a write goes through without another refresh.
    dora.get_by_label("Add a comment").fill("After the refresh")
    dora.get_by_role("button", name="Post comment").click()
    expect(comment_item(dora, "After the refresh")).to_be_visible()
    assert len(refreshes) == 1
    assert people.page_errors == []


def test_controls_follow_what_the_server_says_the_caller_may_do(people: People, jpeg: Path) -> None:
    """The album shows a control when the API says the caller may use it, and only then."""
    fay = people.open()
    sign_up(fay, "fay")
    upload_photo(fay, jpeg, "fay")
    fay.get_by_label("Add a comment").fill("First light")
    fay.get_by_role("button", name="Post comment").click()
    # As the server says: a plain author edits her comment but cannot delete it.
    mine = comment_item(fay, "First light")
    expect(mine.get_by_role("button", name="Edit")).to_be_visible()
    expect(mine.get_by_role("button", name="Delete")).to_have_count(0)
    expect(fay.get_by_role("button", name="Delete photo")).to_be_visible()

    def other_flags(route: Route) -> None:
        # The same answers, but the photo may only be edited and the comments only deleted.
        response = route.fetch()
        body = response.json()
        is_photo = "items" not in body
        for item in [body] if is_photo else body["items"]:
            item["can_edit"], item["can_delete"] = is_photo, not is_photo
        route.fulfill(response=response, json=body)

    fay.route(re.compile(r"/api/v1/photos/[0-9a-f]{24}(/comments)?(\?[^/]*)?$"), other_flags)
    fay.reload()
    expect(fay.get_by_role("button", name="Edit photo")).to_be_visible()
    expect(fay.get_by_role("button", name="Delete photo")).to_have_count(0)
    mine = comment_item(fay, "First light")
    expect(mine.get_by_role("button", name="Delete")).to_be_visible()
    expect(mine.get_by_role("button", name="Edit")).to_have_count(0)
    assert people.page_errors == []


def test_phone_width_has_no_horizontal_scrolling(people: People, jpeg: Path) -> None:
    desktop = people.open()
    sign_up(desktop, "erin")
    photo_url = upload_photo(
        desktop,
        jpeg,
        "erin",
        description="A very long description without spaces: " + "harbourlights" * 20,
        tags="a-long-tag-name-for-small-phones, sea",
    )

    phone = people.open(width=390, height=844)
    phone.goto("/")
    expect(phone.get_by_role("list", name="Photos").get_by_role("listitem").first).to_be_visible()
    assert page_width(phone) <= 390
    phone.goto(photo_url)
    expect(phone.get_by_role("heading", name="Photo by erin")).to_be_visible()
    assert page_width(phone) <= 390

    # A missing photo is a plain message, not a broken page.
    phone.goto("/#/photo/not-a-photo")
    expect(phone.get_by_role("heading", name="Not found")).to_be_visible()
    expect(phone.get_by_role("alert")).not_to_be_empty()

    # Logged in, the photo page also carries the forms and the transformation builder.
    log_in(phone, "erin")
    expect(nav(phone).get_by_role("link", name="erin")).to_be_visible()
    phone.goto(photo_url)
    expect(phone.get_by_role("form", name="Transformation builder")).to_be_visible()
    phone.get_by_role("form", name="Transformation builder").get_by_role(
        "button", name="Create link"
    ).click()
    expect(alert(phone, "Choose at least one operation")).to_be_visible()
    assert page_width(phone) <= 390
    assert unlabelled_controls(phone) == []
    routes = ("#/", "#/me", "#/upload", "#/albums", "#/links", "#/admin", "#/user/erin")
    for route in (*routes, "#/signup", "#/login"):
        phone.goto(f"/{route}")
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        assert page_width(phone) <= 390, route
        assert unlabelled_controls(phone) == [], route
        expect(phone.get_by_text("null", exact=True)).to_have_count(0)

    # The account page: profile, avatar and a refused password change.
    phone.goto("/#/me")
    phone.get_by_label("Full name").fill("Erin Example")
    phone.get_by_label("Bio").fill("Harbours and boats.")
    phone.get_by_role("button", name="Save profile").click()
    expect(status(phone, "Your profile was saved.")).to_be_visible()
    phone.get_by_label("New avatar").set_input_files(jpeg)
    phone.get_by_role("button", name="Upload avatar").click()
    expect(status(phone, "Your new avatar is saved.")).to_be_visible()
    expect(nav(phone).get_by_role("link", name="erin").locator("img")).to_be_visible()
    phone.get_by_label("Current password").fill("not my password")
    phone.get_by_label("New password").fill("another long one")
    phone.get_by_role("button", name="Change password").click()
    expect(phone.get_by_role("alert")).not_to_be_empty()
    phone.goto("/#/user/erin")
    expect(phone.get_by_role("heading", name="Erin Example")).to_be_visible()
    expect(phone.get_by_text("Harbours and boats.")).to_be_visible()
    assert people.page_errors == []
