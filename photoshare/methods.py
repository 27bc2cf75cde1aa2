"""HTTP semantics around the routes: the real ``Allow``, HEAD and OPTIONS, an album that keeps out.

Starlette answers a wrong method with the ``Allow`` of the first route it tried for the
path (``GET`` where GET and POST are both served) and FastAPI's routes answer no HEAD;
a static mount at "/" would also claim every API path the router did not match.
"""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The methods a route may serve; HEAD and OPTIONS are answered for every path, below.
ROUTED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# Set in the scope of a GET that answers a HEAD: a route that counts what it shows asks it.
HEAD_SCOPE_KEY = "photoshare.head"


def is_head(request: Request) -> bool:
    """Whether this GET answers a HEAD (headers only: nothing is shown)."""
    return bool(request.scope.get(HEAD_SCOPE_KEY))


def allowed_methods(routes: Iterable[BaseRoute], path: str) -> set[str]:
    """The methods the routes (mounts aside) serve on ``path``, with HEAD where GET is."""
    methods: set[str] = set()
    for method in ROUTED_METHODS:
        probe: Scope = {"type": "http", "method": method, "path": path, "root_path": ""}
        probe.update(headers=[], query_string=b"")
        if any(
            not isinstance(route, Mount) and route.matches(probe)[0] == Match.FULL
            for route in routes
        ):
            methods.add(method)
    if "GET" in methods:
        methods.add("HEAD")
    return methods


def route_path(scope: Scope) -> str:
    """The path the routes see: without the prefix a proxy mounts the app under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _allow(methods: Iterable[str]) -> str:
    return ", ".join(sorted({*methods, "OPTIONS"}))


async def _handle_method_not_allowed(request: Request, exc: Exception) -> Response:
    """A wrong method: 405 with every method the path serves; OPTIONS: 204 with the same."""
    assert isinstance(exc, HTTPException)
    methods = allowed_methods(request.app.router.routes, route_path(request.scope))
    if not methods:  # a mount (the album, the docs' assets) said what it serves
        methods = {m.strip() for m in (exc.headers or {}).get("Allow", "").split(",")}
    headers = {"Allow": _allow(m for m in methods if m)}
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=headers)
    detail = f"Method not allowed; this path answers {headers['Allow']}"
    return JSONResponse({"detail": detail}, status_code=405, headers=headers)


def install_method_handling(app: FastAPI) -> None:
    """Answer wrong methods with the real ``Allow``, OPTIONS with it, and HEAD where GET is."""
    app.add_exception_handler(405, _handle_method_not_allowed)
    app.add_middleware(HeadAsGet)


class HeadAsGet:
    """Serve HEAD as the GET of the same URL without its body, as RFC 9110 asks.

    Headers, Content-Length included, are the GET's. Where no GET is served, the GET
    this becomes is refused with 405, which is HEAD's answer too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET", HEAD_SCOPE_KEY: True}, receive, send_headers_only)


class Album(Mount):
    """The static album at "/", for every path whose first segment no API route uses.

    An unknown path under /api, /s or /media is then the router's JSON 404, and a wrong
    method on an API path its 405, not the album's.
    """

    def __init__(self, directory: str | PathLike[str], routes: Iterable[BaseRoute]) -> None:
        super().__init__("/", app=StaticFiles(directory=directory, html=True), name="album")
        self.api_segments = frozenset(_first_segments(routes))

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        segment = route_path(scope).lstrip("/").split("/", 1)[0]
        if segment in self.api_segments:
            return Match.NONE, {}
        return super().matches(scope)


def _first_segments(routes: Iterable[BaseRoute]) -> Iterable[str]:
    for context in iter_route_contexts(list(routes)):
        segment = (context.path or "").lstrip("/").split("/", 1)[0]
        if segment and "{" not in segment:
            yield segment
