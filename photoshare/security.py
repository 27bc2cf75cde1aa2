"""Response headers that keep browsers safe with what we serve."""

from __future__ import annotations

import base64
import hashlib

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The album is plain files from this origin: nothing inline, nothing from elsewhere.
ALBUM_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# hCaptcha's hosts, per its CSP guidance: its script, the widget's frames, their styles and
# their API calls. Allowed on the album only when a captcha is configured.
HCAPTCHA_SOURCES = "https://hcaptcha.com https://*.hcaptcha.com"
_HCAPTCHA_DIRECTIVES = ("script-src", "frame-src", "style-src", "connect-src")


def album_policy(*, captcha: bool) -> str:
    """The album's Content-Security-Policy, with hCaptcha's hosts when it is on."""
    if not captcha:
        return ALBUM_POLICY
    directives = [part.strip() for part in ALBUM_POLICY.split(";")]
    for name in _HCAPTCHA_DIRECTIVES:
        index = next((i for i, d in enumerate(directives) if d.split()[0] == name), None)
        if index is None:
            directives.append(f"{name} 'self' {HCAPTCHA_SOURCES}")
        else:
            directives[index] = f"{directives[index]} {HCAPTCHA_SOURCES}"
    return "; ".join(directives)


def inline_style_source(stylesheet: str) -> str:
    """The CSP source that allows exactly this inline stylesheet: its SHA-256."""
    digest = hashlib.sha256(stylesheet.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def standalone_page_headers(policy: str) -> dict[str, str]:
    """Headers of a server-rendered page outside the album (a link's password form, an
    album's shared page): its own policy, never framed, no referrer to the next site."""
    return {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


# Swagger UI and ReDoc (their assets served from here by fastapi-offline) start with an
# inline script, which the album's policy would block.
_DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeaders:
    """nosniff on everything; a Content-Security-Policy on the album's pages."""

    def __init__(self, app: ASGIApp, *, captcha: bool = False) -> None:
        self.app = app
        self.album_policy = album_policy(captcha=captcha)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        album = not path.startswith(("/api/", "/media/", "/s/", *_DOCS_PATHS))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                if album and headers.get("content-type", "").startswith("text/html"):
                    headers["Content-Security-Policy"] = self.album_policy
                    headers["X-Frame-Options"] = "DENY"
            await send(message)

        await self.app(scope, receive, send_with_headers)
