"""An account's safety in the JS album, in real browsers against a real server that mails
through a real SMTP server (aiosmtpd on 127.0.0.1): forgot password, the reset page, resending
the confirmation email, the album's words for a 429, and the Sessions page."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.auth.mailbox import Inbox, link_in, smtp_server
from tests.media.samples import noisy_jpeg
from tests.servers import serving
from tests.web import steps
from tests.web.browsers import OUTPUT_DIR, People, require_chromium
from tests.web.steps import alert, nav, page_width, status

require_chromium()

NEW_PASSWORD = "lighthouse keeper 7"
SENT_RESET = "If an account uses this address, we sent a link"
SESSION_ENDED = "Your session has ended; please log in again."
# The mails' subjects.
CONFIRM = "Confirm your PhotoShare email"
RESET = "Reset your PhotoShare password"
IPAD_SAFARI = (
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
PHONE = {"width": 390, "height": 844}
# Few enough failed logins that the throttle's 429 comes quickly; its window is 15 minutes.
LOGIN_FAILURES = 3


def mail_to(inbox: Inbox, address: str, about: str, count: int = 1) -> Message:
    """The count-th message to the address about the subject, waited for from the test's thread."""
    deadline = time.monotonic() + 15
    while True:
        # The SMTP server's thread appends; a snapshot of the list is safe to read here.
        received = [m for m in inbox.about(about) if m["To"] == address]
        if len(received) >= count:
            return received[count - 1]
        assert time.monotonic() < deadline, f"no message #{count} to {address} about {about}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    return smtp[0]


@pytest.fixture(scope="module")
def album_url(tmp_path_factory: pytest.TempPathFactory, smtp: tuple[Inbox, int]) -> Iterator[str]:
    """`photoshare serve` that mails through the test's SMTP server and wants emails confirmed."""
    data_dir = tmp_path_factory.mktemp("recovery-data")
    with serving(
        data_dir,
        data_dir / "server.log",
        PHOTOSHARE_SMTP_HOST="127.0.0.1",
        PHOTOSHARE_SMTP_PORT=str(smtp[1]),
        PHOTOSHARE_SMTP_SECURITY="none",
        PHOTOSHARE_REQUIRE_EMAIL_CONFIRMATION="true",
        PHOTOSHARE_LOGIN_MAX_FAILURES_PER_ACCOUNT=str(LOGIN_FAILURES),
        PHOTOSHARE_RATE_LIMIT_UPLOADS_PER_HOUR="1",
        PHOTOSHARE_RATE_LIMIT_COMMENTS_PER_MINUTE="1",
    ) as server:
        yield server.base


def sign_up(album_url: str, inbox: Inbox, username: str, *, confirm: bool = True) -> str:
    """A new account made over HTTP, its email confirmed from the mailed link; its address."""
    email = f"{username}@example.com"
    account = {"username": username, "email": email, "password": steps.PASSWORD}
    httpx.post(f"{album_url}/api/v1/auth/signup", json=account).raise_for_status()
    if confirm:
        confirm_from_mail(album_url, inbox, email)
    return email


def confirm_from_mail(album_url: str, inbox: Inbox, email: str, count: int = 1) -> None:
    link = link_in(mail_to(inbox, email, CONFIRM, count), rf"({re.escape(album_url)}/api/v1/\S+)")
    httpx.get(link).raise_for_status()


def log_in(page: Page, login: str, password: str) -> int:
    """Log in on the login page; the status of the API's answer."""
    page.goto("/#/login")
    page.get_by_label("Username or email").fill(login)
    page.get_by_label("Password").fill(password)
    with page.expect_response(lambda answer: answer.url.endswith("/auth/login")) as answer:
        page.get_by_role("button", name="Log in").click()
    return answer.value.status


def screenshot(page: Page, name: str) -> None:
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / f"recovery-{name}.png"), full_page=True)


def test_forgotten_password_reset_from_the_mailed_link(
    people: People, album_url: str, inbox: Inbox
) -> None:
    email = sign_up(album_url, inbox, "dora")
    dora = people.open(**PHONE)

    # 1. From the login page, ask for a link: the answer is the same for an unknown address.
    dora.goto("/#/login")
    dora.get_by_role("link", name="Forgot password?").click()
    expect(dora.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    dora.get_by_label("Email").fill("nobody@example.com")
    dora.get_by_role("button", name="Send me a link").click()
    expect(status(dora, SENT_RESET)).to_be_visible()
    unknown_answer = status(dora, SENT_RESET).inner_text()
    dora.get_by_role("button", name="ask again").click()
    dora.get_by_label("Email").fill(email)
    dora.get_by_role("button", name="Send me a link").click()
    expect(status(dora, SENT_RESET)).to_have_text(unknown_answer)
    screenshot(dora, "1-link-sent-phone")
    assert page_width(dora) <= PHONE["width"]

    # 2. The mail arrives with a link to the album's reset page.
    link = link_in(mail_to(inbox, email, RESET), rf"({re.escape(album_url)}/#/reset\?token=\S+)")
    assert [m for m in inbox.about(None) if m["To"] == "nobody@example.com"] == []

    # 3. The reset page wants the new password twice, the same both times.
    dora.goto(link)
    expect(dora.get_by_role("heading", name="Choose a new password")).to_be_visible()
    dora.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    dora.get_by_label("New password again").fill(NEW_PASSWORD + "!")
    dora.get_by_role("button", name="Set new password").click()
    expect(alert(dora, "The two passwords differ")).to_be_visible()
    screenshot(dora, "2-reset-page-phone")
    assert page_width(dora) <= PHONE["width"]
    dora.get_by_label("New password again").fill(NEW_PASSWORD)
    dora.get_by_role("button", name="Set new password").click()
    expect(
        status(dora, "Your password was changed. Log in with your new password.")
    ).to_be_visible()
    expect(dora.get_by_role("heading", name="Log in")).to_be_visible()

    # 4. The old password no longer works; the new one does.
    assert log_in(dora, "dora", steps.PASSWORD) == 401
    expect(alert(dora, "Incorrect username or password")).to_be_visible()
    assert log_in(dora, email, NEW_PASSWORD) == 200
    expect(status(dora, "Welcome back!")).to_be_visible()
    expect(nav(dora).get_by_role("link", name="dora")).to_be_visible()

    # 5. The link worked once: opened again, it says so and offers a new one.
    dora.goto(link)
    dora.get_by_label("New password", exact=True).fill("another password 8")
    dora.get_by_label("New password again").fill("another password 8")
    dora.get_by_role("button", name="Set new password").click()
    expect(dora.get_by_role("heading", name="This link no longer works")).to_be_visible()
    screenshot(dora, "3-used-link-phone")
    dora.get_by_role("link", name="Ask for a new link").click()
    expect(dora.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    assert people.page_errors == []


def test_a_reset_page_without_a_token_points_to_a_new_link(people: People) -> None:
    page = people.open()
    page.goto("/#/reset")
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    page.get_by_role("link", name="Ask for a new link").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()


def test_unconfirmed_login_offers_to_resend_the_confirmation(
    people: People, album_url: str, inbox: Inbox
) -> None:
    email = sign_up(album_url, inbox, "erin", confirm=False)
    mail_to(inbox, email, CONFIRM)
    erin = people.open(**PHONE)

    assert log_in(erin, "erin", steps.PASSWORD) == 403
    expect(alert(erin, "Confirm your email address first")).to_be_visible()
    resend = erin.get_by_role("form", name="Resend the confirmation email")
    resend.get_by_label("Email").fill(email)
    resend.get_by_role("button", name="Resend confirmation email").click()
    expect(status(erin, "we sent it a new link")).to_be_visible()
    screenshot(erin, "4-resend-confirmation-phone")
    assert page_width(erin) <= PHONE["width"]

    # The second mail's link confirms the address, and the login goes through.
    confirm_from_mail(album_url, inbox, email, count=2)
    erin.get_by_role("button", name="Log in").click()
    expect(status(erin, "Welcome back!")).to_be_visible()
    expect(nav(erin).get_by_role("link", name="erin")).to_be_visible()


def test_too_many_failed_logins_say_when_to_try_again(
    people: People, album_url: str, inbox: Inbox
) -> None:
    sign_up(album_url, inbox, "frank")
    page = people.open()
    for _ in range(LOGIN_FAILURES):
        assert log_in(page, "frank", "not the password") == 401
        expect(alert(page, "Incorrect username or password")).to_be_visible()
    assert log_in(page, "frank", "not the password") == 429
    # The throttle's window is 900 s, so Retry-After is at most 15 minutes, rounded up.
    expect(alert(page, "Too many failed logins; try again in 15 minutes.")).to_be_visible()


def sessions(page: Page) -> Locator:
    return page.get_by_role("list", name="Your sessions").get_by_role("listitem")


def logged_in(people: People, username: str, *, width: int = 1280) -> Page:
    page = people.open(width=width)
    assert log_in(page, username, steps.PASSWORD) == 200
    expect(nav(page).get_by_role("link", name=username)).to_be_visible()
    return page


def api_login(album_url: str, username: str, user_agent: str) -> str:
    """Log in over HTTP as a device with this user agent; its access token."""
    form = {"username": username, "password": steps.PASSWORD}
    headers = {"User-Agent": user_agent}
    login = httpx.post(f"{album_url}/api/v1/auth/login", data=form, headers=headers)
    login.raise_for_status()
    return str(login.json()["access_token"])


def open_sessions(page: Page) -> None:
    nav(page).get_by_role("link", name="gina").click()
    page.get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", level=1, name="Sessions")).to_be_visible()


def expect_sent_to_login(page: Page) -> None:
    """The next thing a signed-out device does lands it on the login page, told why."""
    nav(page).get_by_role("link", name="My links").click()
    expect(page.get_by_role("heading", name="Log in", exact=True)).to_be_visible()
    expect(status(page, SESSION_ENDED)).to_be_visible()
    expect(nav(page).get_by_role("link", name="gina")).to_have_count(0)


def test_a_device_signs_out_another_then_every_other(
    people: People, album_url: str, inbox: Inbox
) -> None:
    sign_up(album_url, inbox, "gina")
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

    # 3. Another browser and a script log in; each is named by its user agent.
    laptop = logged_in(people, "gina")
    ipad = api_login(album_url, "gina", IPAD_SAFARI)
    script = api_login(album_url, "gina", "python-httpx/0.28.1")
    phone.reload()
    expect(sessions(phone)).to_have_count(4)
    expect(sessions(phone).filter(has_text="Safari on iPad")).to_have_count(1)
    expect(sessions(phone).filter(has_text="python-httpx")).to_have_count(1)

    # 4. "Sign out everywhere else" ends all three and keeps the phone's.
    phone.get_by_role("button", name="Sign out everywhere else").click()
    phone.get_by_role("button", name="Yes, sign them out").click()
    expect(status(phone, "Every other device was signed out.")).to_be_visible()
    expect(sessions(phone)).to_have_count(1)
    expect_sent_to_login(laptop)
    for token in (ipad, script):
        me = httpx.get(f"{album_url}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401
    # The phone itself carries on.
    nav(phone).get_by_role("link", name="My links").click()
    expect(phone.get_by_role("heading", name="My links")).to_be_visible()
    assert people.page_errors == []


def test_write_limits_say_when_to_try_again(
    people: People, album_url: str, inbox: Inbox, tmp_path: Path
) -> None:
    """One upload an hour and one comment a minute: the second of each is told when to retry."""
    sign_up(album_url, inbox, "hana")
    photo = tmp_path / "pier.jpg"
    photo.write_bytes(noisy_jpeg(800, 600))
    page = logged_in(people, "hana")
    steps.upload_photo(page, photo, "hana", description="The pier")
    photo_page = page.url
    # The upload form sends with XMLHttpRequest, which reads Retry-After on its own.
    nav(page).get_by_role("link", name="Upload").click()
    page.get_by_label("Photo", exact=True).set_input_files(photo)
    page.get_by_role("button", name="Upload").click()
    expect(
        alert(page, "Too many uploads from this account; try again in 60 minutes.")
    ).to_be_visible()

    page.goto(photo_page)
    comments = page.get_by_role("list", name="Comments")
    page.get_by_label("Add a comment").fill("First light on the pier")
    page.get_by_role("button", name="Post comment").click()
    expect(comments.get_by_text("First light on the pier")).to_be_visible()
    page.get_by_label("Add a comment").fill("And again")
    page.get_by_role("button", name="Post comment").click()
    told = alert(page, "Too many comments from this account; try again in")
    # Retry-After is at most the minute's 60 seconds, which reads "1 minute".
    expect(told).to_have_text(
        re.compile(r"try again in ([1-9] seconds?|[1-5][0-9] seconds|1 minute)\.$")
    )
    screenshot(page, "5-too-many-comments")
