"""Response headers that keep browsers safe with what we serve."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The album is plain files from this origin: nothing inline, nothing from elsewhere.
ALBUM_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Swagger UI and ReDoc (their assets served from here by fastapi-offline) start with an
# inline script, which the album's policy would block.
_DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeaders:
    """nosniff on everything; a Content-Security-Policy on the album's pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
                    headers["Content-Security-Policy"] = ALBUM_POLICY
                    headers["X-Frame-Options"] = "DENY"
            await send(message)

        await self.app(scope, receive, send_with_headers)
