"""The Sessions page of the JS album, in real browsers against the real server: one device
signs another out, then every other one, and the signed-out devices find the login page."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.servers import serving
from tests.web import steps
from tests.web.browsers import OUTPUT_DIR, People, require_chromium
from tests.web.steps import nav, page_width, status

require_chromium()

SESSION_ENDED = "Your session has ended; please log in again."


@pytest.fixture(scope="module")
def album_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("sessions-data")
    with serving(data_dir, data_dir / "server.log") as server:
        yield server.base


def sessions(page: Page) -> Locator:
    return page.get_by_role("list", name="Your sessions").get_by_role("listitem")


def logged_in(people: People, username: str, *, width: int = 1280) -> Page:
    page = people.open(width=width)
    steps.log_in(page, username)
    expect(nav(page).get_by_role("link", name=username)).to_be_visible()
    return page


def open_sessions(page: Page) -> None:
    nav(page).get_by_role("link", name="gina").click()
    page.get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", level=1, name="Sessions")).to_be_visible()


def expect_sent_to_login(page: Page) -> None:
    """The next thing a signed-out device does lands it on the login page, told why."""
    nav(page).get_by_role("link", name="My links").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(status(page, SESSION_ENDED)).to_be_visible()
    expect(nav(page).get_by_role("link", name="gina")).to_have_count(0)


def test_a_device_signs_out_another_then_every_other(people: People, album_url: str) -> None:
    account = {"username": "gina", "email": "gina@example.com", "password": steps.PASSWORD}
    httpx.post(f"{album_url}/api/v1/auth/signup", json=account).raise_for_status()
    phone = logged_in(people, "gina", width=390)
    laptop = logged_in(people, "gina")

    # 1. The phone sees both devices, itself marked, with address and times.
    open_sessions(phone)
    expect(phone.get_by_text("2 devices are logged in to your account.")).to_be_visible()
    expect(sessions(phone)).to_have_count(2)
    here = sessions(phone).filter(has_text="This device")
    expect(here).to_have_count(1)
    expect(sessions(phone).first).to_contain_text("This device")
    expect(sessions(phone).first).to_contain_text("Headless Chrome on Linux")
    expect(sessions(phone).first).to_contain_text("127.0.0.1")
    expect(sessions(phone).first).to_contain_text("Last used")
    OUTPUT_DIR.mkdir(exist_ok=True)
    phone.screenshot(path=str(OUTPUT_DIR / "sessions-phone.png"), full_page=True)
    assert page_width(phone) <= 390

    # 2. The phone signs the laptop out; the laptop's next step lands on the login page.
    other = sessions(phone).filter(has_not_text="This device")
    other.get_by_role("button", name="Sign out").click()
    other.get_by_role("button", name="Yes, sign it out").click()
    expect(status(phone, "was signed out.")).to_be_visible()
    expect(sessions(phone)).to_have_count(1)
    expect(phone.get_by_text("Only this device is logged in.")).to_be_visible()
    expect_sent_to_login(laptop)

    # 3. Two more logins; "Sign out everywhere else" ends both and keeps the phone's.
    laptop = logged_in(people, "gina")
    tablet = logged_in(people, "gina", width=820)
    phone.reload()
    expect(sessions(phone)).to_have_count(3)
    phone.get_by_role("button", name="Sign out everywhere else").click()
    phone.get_by_role("button", name="Yes, sign them out").click()
    expect(status(phone, "Every other device was signed out.")).to_be_visible()
    expect(sessions(phone)).to_have_count(1)
    expect_sent_to_login(laptop)
    expect_sent_to_login(tablet)
    # The phone itself carries on.
    nav(phone).get_by_role("link", name="My links").click()
    expect(phone.get_by_role("heading", name="My links")).to_be_visible()
    assert people.page_errors == []
