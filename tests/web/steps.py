"""What people do in the album, as steps the browser tests share: sign up, log in, upload,
find the navigation and the messages, measure the page, read a QR code."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import Locator, Page, expect

PASSWORD = "correct horse 1"


def sign_up(page: Page, username: str) -> None:
    page.goto("/#/signup")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(status(page, f"Welcome to PhotoShare, {username}!")).to_be_visible()
    expect(nav(page).get_by_role("link", name=username)).to_be_visible()


def log_in(page: Page, username: str) -> None:
    page.goto("/#/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def upload_photo(
    page: Page, image: Path, username: str, *, description: str = "", tags: str = ""
) -> str:
    """Upload through the album's form; the URL of the new photo's page."""
    nav(page).get_by_role("link", name="Upload").click()
    page.get_by_label("Photo", exact=True).set_input_files(image)
    page.get_by_label("Description").fill(description)
    page.get_by_label("Tags").fill(tags)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name=f"Photo by {username}")).to_be_visible()
    return page.url


def nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def status(page: Page, text: str) -> Locator:
    """A polite message (role=status) containing the text."""
    return page.get_by_role("status").filter(has_text=text)


def alert(page: Page, text: str) -> Locator:
    """An error message (role=alert) containing the text."""
    return page.get_by_role("alert").filter(has_text=text)


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


UNLABELLED_CONTROLS = """() =>
  [...document.querySelectorAll("input, select, textarea, button")]
    .filter((control) => control.getClientRects().length > 0)
    .filter((control) => !(
      control.labels?.length ||
      control.getAttribute("aria-label") ||
      control.getAttribute("aria-labelledby") ||
      (control.tagName === "BUTTON" && control.textContent.trim())
    ))
    .map((control) => control.outerHTML.slice(0, 120))
"""


def unlabelled_controls(page: Page) -> list[str]:
    """Visible form controls that a screen reader could not name."""
    return list(page.evaluate(UNLABELLED_CONTROLS))


def decode_qr(png: bytes) -> str:
    from pyzbar import pyzbar

    image = Image.open(io.BytesIO(png)).convert("L")
    # A little margin and scale help zbar with a tightly cropped, browser-scaled code.
    framed = Image.new("L", (image.width + 40, image.height + 40), 255)
    framed.paste(image, (20, 20))
    framed = framed.resize((framed.width * 2, framed.height * 2), Image.Resampling.NEAREST)
    decoded = pyzbar.decode(framed)
    assert decoded, "no QR code found in the screenshot"
    return str(decoded[0].data.decode())
