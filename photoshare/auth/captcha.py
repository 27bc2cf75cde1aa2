"""hCaptcha at signup: the token a person's browser got is checked with hCaptcha's siteverify."""

from __future__ import annotations

import contextlib
import ipaddress
import logging

import httpx
from pydantic import BaseModel, Field, StrictBool, ValidationError

from photoshare.config import Settings
from photoshare.errors import PhotoShareError, ServiceUnavailable

log = logging.getLogger(__name__)

PROVIDER = "hcaptcha"
# Seconds a client is asked to wait when the verification service did not answer usefully.
UNAVAILABLE_RETRY_AFTER_SECONDS = 30
# siteverify's error codes that mean this server is configured wrongly, not the person.
CONFIGURATION_ERRORS = frozenset(
    {"missing-input-secret", "invalid-input-secret", "sitekey-secret-mismatch"}
)


class CaptchaNotSolved(PhotoShareError):
    status_code = 400
    detail = "The captcha was not solved; try again"


class CaptchaUnavailable(ServiceUnavailable):
    detail = "The captcha could not be checked right now; try again shortly"

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_SECONDS)})


class SiteverifyAnswer(BaseModel):
    """The part of siteverify's JSON answer the decision rests on."""

    success: StrictBool
    error_codes: list[str] = Field(default_factory=list, alias="error-codes")


class HCaptcha:
    """Verifies signup tokens with hCaptcha; built and closed by the app's lifespan."""

    def __init__(self, settings: Settings) -> None:
        assert settings.hcaptcha_sitekey and settings.hcaptcha_secret
        self.sitekey = settings.hcaptcha_sitekey
        self._secret = settings.hcaptcha_secret.get_secret_value()
        self._verify_url = settings.hcaptcha_verify_url
        self._client = httpx.AsyncClient(timeout=settings.hcaptcha_timeout_seconds)

    async def close(self) -> None:
        await self._client.aclose()

    async def verify(self, token: str | None, client_address: str) -> None:
        """Accept a token hCaptcha says was solved for our sitekey; raise 400 or 503 otherwise."""
        if not token:
            raise CaptchaNotSolved("Solve the captcha first: captcha_token is required")
        answer = await self._ask(token, client_address)
        if answer.success:
            return
        codes = set(answer.error_codes)
        if codes & CONFIGURATION_ERRORS:
            log.error("hCaptcha refused this server's keys: %s", ", ".join(sorted(codes)))
        else:
            log.info("hCaptcha rejected a signup token: %s", ", ".join(sorted(codes)) or "-")
        raise CaptchaNotSolved()

    async def _ask(self, token: str, client_address: str) -> SiteverifyAnswer:
        form = {"secret": self._secret, "response": token, "sitekey": self.sitekey}
        # Without a peer address (an odd ASGI server) there is nothing true to send.
        with contextlib.suppress(ValueError):
            form["remoteip"] = str(ipaddress.ip_address(client_address))
        try:
            response = await self._client.post(self._verify_url, data=form)
        except httpx.HTTPError as exc:
            log.warning("hCaptcha's siteverify did not answer: %r", exc)
            raise CaptchaUnavailable() from exc
        if response.status_code >= 500:
            log.warning("hCaptcha's siteverify answered HTTP %s", response.status_code)
            raise CaptchaUnavailable()
        try:
            return SiteverifyAnswer.model_validate_json(response.content)
        except ValidationError as exc:
            log.warning(
                "hCaptcha's siteverify answered HTTP %s with no verdict: %.200r",
                response.status_code,
                response.content,
            )
            raise CaptchaUnavailable() from exc


def build_captcha(settings: Settings) -> HCaptcha | None:
    """The verifier when a sitekey and secret are configured; None leaves signup open."""
    return HCaptcha(settings) if settings.captcha_enabled else None
