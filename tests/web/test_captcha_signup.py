"""Signing up in the album with hCaptcha configured: the widget shows, its token is sent and
checked by the (fake) siteverify the server is pointed at.

hCaptcha's real script cannot load offline, so the browser is handed a small stand-in at
its address: a checkbox that yields a token the fake siteverify accepts once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.auth.siteverify import SECRET, SITEKEY, FakeSiteverify, fake_siteverify
from tests.servers import serving
from tests.web import steps
from tests.web.browsers import People, require_chromium
from tests.web.steps import alert, status

require_chromium()

TOKEN = "P1_solved-in-the-browser"
HCAPTCHA_SCRIPTS = "https://js.hcaptcha.com/**"
# The stand-in for https://js.hcaptcha.com/1/api.js: the explicit-render API the album uses.
FAKE_HCAPTCHA = """
(() => {
  const widgets = [];
  window.hcaptcha = {
    render(container, { sitekey }) {
      const box = document.createElement("input");
      box.type = "checkbox";
      const label = document.createElement("label");
      label.append(box, " I am human");
      label.dataset.sitekey = sitekey;
      container.append(label);
      widgets.push(box);
      return widgets.length - 1;
    },
    getResponse(id) { return widgets[id].checked ? "__TOKEN__" : ""; },
    reset(id) { widgets[id].checked = false; },
  };
})();
""".replace("__TOKEN__", TOKEN)


@pytest.fixture(scope="module")
def siteverify() -> Iterator[FakeSiteverify]:
    with fake_siteverify() as fake:
        yield fake


@pytest.fixture(scope="module")
def album_url(
    tmp_path_factory: pytest.TempPathFactory, siteverify: FakeSiteverify
) -> Iterator[str]:
    """`photoshare serve` with hCaptcha configured, verifying against the fake siteverify."""
    data_dir = tmp_path_factory.mktemp("captcha-data")
    env = {
        "PHOTOSHARE_HCAPTCHA_SITEKEY": SITEKEY,
        "PHOTOSHARE_HCAPTCHA_SECRET": SECRET,
        "PHOTOSHARE_HCAPTCHA_VERIFY_URL": siteverify.url,
    }
    with serving(data_dir, data_dir / "server.log", **env) as server:
        yield server.base


def serve_fake_hcaptcha(page: Page) -> list[str]:
    """Answer hCaptcha's script address with the stand-in; the URLs asked for."""
    asked: list[str] = []

    def fulfil(route: Route) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="text/javascript", body=FAKE_HCAPTCHA)

    page.route(HCAPTCHA_SCRIPTS, fulfil)
    return asked


def fill_signup(page: Page, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Password").fill(steps.PASSWORD)


def test_the_signup_form_shows_the_captcha_and_sends_its_token(
    people: People, siteverify: FakeSiteverify
) -> None:
    siteverify.solve(TOKEN)
    checked_before = len(siteverify.received)
    page = people.open()
    asked = serve_fake_hcaptcha(page)
    page.goto("/#/signup")
    captcha = page.get_by_label("Captcha")
    human = captcha.get_by_role("checkbox", name="I am human")
    expect(human).to_be_visible()
    assert captcha.locator("label").get_attribute("data-sitekey") == SITEKEY
    assert asked == ["https://js.hcaptcha.com/1/api.js?render=explicit"]

    fill_signup(page, "captcha_person")
    page.get_by_role("button", name="Sign up").click()
    expect(alert(page, "Solve the captcha first.")).to_be_visible()
    assert len(siteverify.received) == checked_before

    human.check()
    page.get_by_role("button", name="Sign up").click()
    expect(status(page, "Welcome to PhotoShare, captcha_person!")).to_be_visible()
    checked = siteverify.received[checked_before:]
    assert [(form["response"], form["sitekey"], form["secret"]) for form in checked] == [
        (TOKEN, SITEKEY, SECRET)
    ]
    assert checked[0]["remoteip"] == "127.0.0.1"
    assert people.page_errors == []


def test_a_spent_token_is_refused_and_the_widget_asks_again(
    people: People, siteverify: FakeSiteverify
) -> None:
    # The stand-in hands out one token; here it was already used for an earlier signup.
    siteverify.solve(TOKEN)
    siteverify.spend(TOKEN)
    page = people.open()
    serve_fake_hcaptcha(page)
    page.goto("/#/signup")
    human = page.get_by_label("Captcha").get_by_role("checkbox", name="I am human")
    fill_signup(page, "second_try")
    human.check()
    page.get_by_role("button", name="Sign up").click()
    expect(alert(page, "The captcha was not solved; try again")).to_be_visible()
    expect(human).not_to_be_checked()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    assert siteverify.verdicts[-1] == {
        "success": False,
        "error-codes": ["invalid-or-already-seen-response"],
    }


def test_without_a_captcha_configured_no_hcaptcha_is_loaded(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    data_dir = tmp_path_factory.mktemp("no-captcha-data")
    with serving(data_dir, data_dir / "server.log") as server:
        crowd = People(browser, server.base)
        try:
            page = crowd.open()
            asked = serve_fake_hcaptcha(page)
            with page.expect_response("**/api/v1/auth/config") as config:
                page.goto("/#/signup")
            assert config.value.json()["captcha"] is None
            expect(page.get_by_label("Username")).to_be_visible()
            expect(page.get_by_label("Captcha")).to_be_hidden()
            fill_signup(page, "no_captcha")
            page.get_by_role("button", name="Sign up").click()
            expect(status(page, "Welcome to PhotoShare, no_captcha!")).to_be_visible()
            assert asked == []
            assert crowd.page_errors == []
        finally:
            crowd.close()
