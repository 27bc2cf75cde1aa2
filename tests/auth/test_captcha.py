"""hCaptcha at signup, against a fake siteverify on 127.0.0.1, and what clients are told."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from photoshare.app import create_app
from photoshare.config import ConfigurationError, Settings
from photoshare.security import ALBUM_POLICY
from tests.auth.hashing import CountingArgon2, client_at, counted_app
from tests.auth.siteverify import SECRET, SITEKEY, FakeSiteverify, fake_siteverify
from tests.servers import free_port, running_app

SIGNUP = "/api/v1/auth/signup"
CONFIG = "/api/v1/auth/config"
NOT_SOLVED = "The captcha was not solved; try again"
UNAVAILABLE = "The captcha could not be checked right now; try again shortly"
HCAPTCHA_HOSTS = "https://hcaptcha.com https://*.hcaptcha.com"


@pytest.fixture
def siteverify() -> Iterator[FakeSiteverify]:
    with fake_siteverify() as fake:
        yield fake


def captcha_settings(
    make_settings: Callable[..., Settings], url: str, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "hcaptcha_sitekey": SITEKEY,
        "hcaptcha_secret": SECRET,
        "hcaptcha_verify_url": url,
        "hcaptcha_timeout_seconds": 0.5,
    }
    return make_settings(**(values | overrides))


@asynccontextmanager
async def captcha_app(settings: Settings) -> AsyncIterator[tuple[FastAPI, CountingArgon2]]:
    """The app with a captcha configured, counting the passwords it hashes."""
    argon2 = CountingArgon2(hold=0)
    async with counted_app(settings, argon2) as app:
        yield app, argon2


def signup_body(name: str, token: str | None = None) -> dict[str, str]:
    body = {"username": name, "email": f"{name}@example.com", "password": "correct horse 1"}
    if token is not None:
        body["captcha_token"] = token
    return body


async def account_exists(http: httpx.AsyncClient, name: str) -> bool:
    response = await http.get(f"/api/v1/users/{name}")
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200


async def test_config_says_no_captcha_when_none_is_configured(
    make_settings: Callable[..., Settings],
) -> None:
    async with running_app(make_settings()) as http:
        response = await http.get(CONFIG)
        assert response.status_code == 200
        assert response.json() == {"captcha": None, "email_confirmation_required": False}
        # Signup needs no token then, and a token sent anyway is not checked anywhere.
        assert (await http.post(SIGNUP, json=signup_body("open1"))).status_code == 201
        assert (await http.post(SIGNUP, json=signup_body("open2", "x"))).status_code == 201
    async with running_app(make_settings(require_email_confirmation=True)) as http:
        response = await http.get(CONFIG)
        assert response.json() == {"captcha": None, "email_confirmation_required": True}


async def test_config_names_hcaptcha_and_its_sitekey_when_configured(
    make_settings: Callable[..., Settings], siteverify: FakeSiteverify
) -> None:
    async with running_app(captcha_settings(make_settings, siteverify.url)) as http:
        response = await http.get(CONFIG)
        assert response.status_code == 200
        assert response.json() == {
            "captcha": {"provider": "hcaptcha", "sitekey": SITEKEY},
            "email_confirmation_required": False,
        }
        assert SECRET not in response.text


async def test_a_solved_captcha_signs_up_once_and_hcaptcha_hears_every_field(
    make_settings: Callable[..., Settings], siteverify: FakeSiteverify
) -> None:
    settings = captcha_settings(make_settings, siteverify.url)
    async with captcha_app(settings) as (app, argon2), client_at(app, "198.51.100.7") as http:
        token = siteverify.solve("P1_solved-by-a-person")
        response = await http.post(SIGNUP, json=signup_body("ada", token))
        assert response.status_code == 201, response.text
        assert response.json()["username"] == "ada"
        assert argon2.hashes == 1
        assert siteverify.received == [
            {
                "secret": SECRET,
                "response": token,
                "remoteip": "198.51.100.7",
                "sitekey": SITEKEY,
                "content-type": "application/x-www-form-urlencoded",
            }
        ]
        # hCaptcha takes a token once: the same token does not make a second account.
        again = await http.post(SIGNUP, json=signup_body("ada2", token))
        assert again.status_code == 400
        assert again.json() == {"detail": NOT_SOLVED}
        assert not await account_exists(http, "ada2")


async def test_remoteip_is_the_client_behind_a_trusted_proxy(
    make_settings: Callable[..., Settings], siteverify: FakeSiteverify
) -> None:
    settings = captcha_settings(make_settings, siteverify.url, trusted_proxies=["10.0.0.0/8"])
    forwarded = {"X-Forwarded-For": "203.0.113.50, 10.0.0.9"}
    async with captcha_app(settings) as (app, _):
        async with client_at(app, "10.0.0.1") as via_proxy:
            body = signup_body("proxied", siteverify.solve("P1_a"))
            assert (await via_proxy.post(SIGNUP, json=body, headers=forwarded)).status_code == 201
        async with client_at(app, "192.0.2.8") as direct:
            body = signup_body("direct", siteverify.solve("P1_b"))
            assert (await direct.post(SIGNUP, json=body, headers=forwarded)).status_code == 201
    assert [form["remoteip"] for form in siteverify.received] == ["203.0.113.50", "192.0.2.8"]


async def test_no_remoteip_is_sent_when_the_peer_address_is_unknown(
    make_settings: Callable[..., Settings], siteverify: FakeSiteverify
) -> None:
    settings = captcha_settings(make_settings, siteverify.url)
    async with captcha_app(settings) as (app, _), client_at(app, "unknown") as http:
        body = signup_body("nowhere", siteverify.solve("P1_c"))
        assert (await http.post(SIGNUP, json=body)).status_code == 201
    assert "remoteip" not in siteverify.received[0]


@pytest.mark.parametrize("token", [None, ""])
async def test_a_signup_without_a_token_is_refused_before_any_work(
    make_settings: Callable[..., Settings], siteverify: FakeSiteverify, token: str | None
) -> None:
    settings = captcha_settings(make_settings, siteverify.url)
    async with captcha_app(settings) as (app, argon2), client_at(app, "127.0.0.1") as http:
        response = await http.post(SIGNUP, json=signup_body("nocaptcha", token))
        assert response.status_code == 400
        assert response.json() == {"detail": "Solve the captcha first: captcha_token is required"}
        assert not await account_exists(http, "nocaptcha")
        assert argon2.hashes == 0
        assert siteverify.received == []


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({}, "invalid-input-response"),
        ({"hcaptcha_sitekey": "20000000-ffff-ffff-ffff-000000000002"}, "sitekey-secret-mismatch"),
        ({"hcaptcha_secret": "0x1111111111111111111111111111111111111111"}, "invalid-input-secret"),
    ],
)
async def test_a_rejected_token_is_400_naming_the_captcha_and_creates_nothing(
    make_settings: Callable[..., Settings],
    siteverify: FakeSiteverify,
    overrides: dict[str, str],
    why: str,
) -> None:
    settings = captcha_settings(make_settings, siteverify.url, **overrides)
    # A token solved for this site, except in the first case, where nobody solved it.
    token = "P1_made-up" if not overrides else siteverify.solve("P1_solved")
    async with captcha_app(settings) as (app, argon2), client_at(app, "127.0.0.1") as http:
        response = await http.post(SIGNUP, json=signup_body("rejected", token))
        assert response.status_code == 400
        assert response.json() == {"detail": NOT_SOLVED}
        assert not await account_exists(http, "rejected")
        assert argon2.hashes == 0
    assert siteverify.verdicts == [{"success": False, "error-codes": [why]}]


@pytest.mark.parametrize("behaviour", ["slow", "garbage", "broken", "no verdict"])
async def test_a_verification_service_that_fails_is_503_and_creates_nothing(
    make_settings: Callable[..., Settings], siteverify: FakeSiteverify, behaviour: Any
) -> None:
    siteverify.behaviour = behaviour
    settings = captcha_settings(make_settings, siteverify.url, hcaptcha_timeout_seconds=0.3)
    async with captcha_app(settings) as (app, argon2), client_at(app, "127.0.0.1") as http:
        response = await http.post(SIGNUP, json=signup_body("stranded", siteverify.solve("P1_x")))
        assert response.status_code == 503
        assert response.json() == {"detail": UNAVAILABLE}
        assert int(response.headers["retry-after"]) > 0
        assert not await account_exists(http, "stranded")
        assert argon2.hashes == 0
    assert len(siteverify.received) == 1


async def test_an_unreachable_service_is_503_and_creates_nothing(
    make_settings: Callable[..., Settings],
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/siteverify"
    settings = captcha_settings(make_settings, closed)
    async with captcha_app(settings) as (app, argon2), client_at(app, "127.0.0.1") as http:
        response = await http.post(SIGNUP, json=signup_body("later", "P1_token"))
        assert response.status_code == 503
        assert response.json() == {"detail": UNAVAILABLE}
        assert int(response.headers["retry-after"]) > 0
        assert not await account_exists(http, "later")
        assert argon2.hashes == 0


async def test_a_503_does_not_spend_the_signup_quota(
    make_settings: Callable[..., Settings], siteverify: FakeSiteverify
) -> None:
    settings = captcha_settings(make_settings, siteverify.url, rate_limit_signups_per_hour=1)
    async with captcha_app(settings) as (app, _), client_at(app, "127.0.0.1") as http:
        siteverify.behaviour = "broken"
        for _ in range(3):
            body = signup_body("later", siteverify.solve("P1_early"))
            assert (await http.post(SIGNUP, json=body)).status_code == 503
        # Once hCaptcha answers again, the address still has its one signup this hour.
        siteverify.behaviour = "honest"
        body = signup_body("later", siteverify.solve("P1_fresh"))
        assert (await http.post(SIGNUP, json=body)).status_code == 201
        refused = await http.post(SIGNUP, json=signup_body("third", siteverify.solve("P1_y")))
        assert refused.status_code == 429
        assert len(siteverify.received) == 4


@pytest.mark.parametrize("token", ["P1_" + "a" * 16_400, "P1_two\nlines"])
async def test_a_malformed_token_is_422_and_never_sent(
    make_settings: Callable[..., Settings], siteverify: FakeSiteverify, token: str
) -> None:
    async with running_app(captcha_settings(make_settings, siteverify.url)) as http:
        response = await http.post(SIGNUP, json=signup_body("malformed", token))
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "captcha_token"]
        assert not await account_exists(http, "malformed")
    assert siteverify.received == []


@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        ({"hcaptcha_sitekey": SITEKEY}, "PHOTOSHARE_HCAPTCHA_SECRET"),
        ({"hcaptcha_secret": SECRET}, "PHOTOSHARE_HCAPTCHA_SITEKEY"),
        ({"hcaptcha_sitekey": SITEKEY, "hcaptcha_secret": ""}, "PHOTOSHARE_HCAPTCHA_SECRET"),
    ],
)
def test_half_a_captcha_configuration_refuses_to_start(
    make_settings: Callable[..., Settings], overrides: dict[str, str], missing: str
) -> None:
    with pytest.raises(ConfigurationError, match=f"{missing} is not"):
        create_app(make_settings(**overrides))


async def test_the_album_csp_allows_hcaptcha_only_when_configured(
    make_settings: Callable[..., Settings], siteverify: FakeSiteverify
) -> None:
    async with running_app(make_settings()) as http:
        plain = (await http.get("/")).headers["content-security-policy"]
    assert plain == ALBUM_POLICY
    assert "hcaptcha" not in plain

    async with running_app(captcha_settings(make_settings, siteverify.url)) as http:
        page = await http.get("/")
        api = await http.get(CONFIG)
    policy = dict(
        (d.split()[0], d.split()[1:]) for d in page.headers["content-security-policy"].split("; ")
    )
    for directive in ("script-src", "frame-src", "style-src", "connect-src"):
        assert policy[directive][0] == "'self'"
        assert " ".join(policy[directive][1:]) == HCAPTCHA_HOSTS
    # Everything else stays as strict as without a captcha.
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "content-security-policy" not in api.headers
