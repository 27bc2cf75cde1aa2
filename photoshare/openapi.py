"""OpenAPI polish: every route documents the errors it can answer with.

The statuses follow from what a route depends on, so they cannot drift from the code:
a dependency that can turn a request away says how with :func:`photoshare.deps.refuses`
(a bearer token 401, a role or ownership check 403); a path id means 404, an upload
413/415, a body or query 422, a body that cannot be parsed at all (bytes that are not
UTF-8, a broken multipart form) 400. Conflicts (409) and throttling (429) are declared
on the routes themselves with :func:`errors`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, params
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute, APIRouter
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from photoshare import deps

DESCRIPTIONS = {
    400: "The request cannot be processed as sent",
    401: "No valid access token (missing, expired, revoked, or of the wrong type)",
    403: "Authenticated, but not allowed to do this",
    404: "No such resource (a malformed id is 404 too)",
    409: "Conflicts with the current state (taken name, second rating, last admin)",
    413: "The upload is larger than the configured limit",
    415: "The file is not an accepted image format",
    422: "The input is not valid; `detail` says which field and why",
    429: "Too many attempts (failed logins, signups); retry after the Retry-After seconds",
    503: (
        "A backing service (database, image store, captcha verification) is not answering, "
        "or too many passwords are waiting to be checked (then retry after the Retry-After "
        "seconds)"
    ),
}


class ErrorOut(BaseModel):
    """An error the service found: a message a person can act on."""

    detail: str


class ValidationIssue(BaseModel):
    """One thing wrong with the input: where it is, what is wrong, and the kind of problem."""

    loc: list[str | int]
    msg: str
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class ValidationErrorOut(BaseModel):
    """The input does not fit the schema: FastAPI's list of issues."""

    detail: list[ValidationIssue]


# A 422 is FastAPI's list of issues; routes that also check their input further (an image
# that cannot be decoded, an unknown preset) declare errors(422): either shape.
_VALIDATION_ONLY = {"model": ValidationErrorOut, "description": DESCRIPTIONS[422]}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry documenting these error statuses."""
    return {
        status: {
            "model": ValidationErrorOut | ErrorOut if status == 422 else ErrorOut,
            "description": DESCRIPTIONS[status],
        }
        for status in statuses
    }


def operation_id(route: APIRoute) -> str:
    """The operation id: the route function's name (``upload_photo``, ``create_link``)."""
    return route.name


def _calls(dependant: Dependant) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def _params(dependant: Dependant) -> tuple[bool, bool, bool, bool]:
    """Whether a route (with its dependencies) takes path, body, file and any validated input."""
    path = bool(dependant.path_params)
    body = bool(dependant.body_params)
    files = any(isinstance(p.field_info, params.File) for p in dependant.body_params)
    validated = bool(dependant.query_params or dependant.body_params or dependant.path_params)
    for sub in dependant.dependencies:
        sub_path, sub_body, sub_files, sub_validated = _params(sub)
        path, body = path or sub_path, body or sub_body
        files, validated = files or sub_files, validated or sub_validated
    return path, body, files, validated


def document_errors(router: APIRouter) -> APIRouter:
    """Add the error responses each of the router's routes can give to its OpenAPI entry."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        calls = _calls(route.dependant)
        path, body, files, validated = _params(route.dependant)
        statuses = {status for call in calls for status in deps.refusals(call)}
        if body:
            # FastAPI answers 400 itself when it cannot parse the body into fields.
            statuses.add(400)
        if path:
            statuses.add(404)
        if files:
            # An image that cannot be decoded is a 422 of the service's own.
            statuses |= {413, 415, 422}
        for status, entry in errors(*sorted(statuses)).items():
            route.responses.setdefault(status, entry)
        if validated:
            route.responses.setdefault(422, _VALIDATION_ONLY)
        if deps.get_optional_user in calls and deps.get_session not in calls:
            _token_optional(route)
    return router


def _token_optional(route: APIRoute) -> None:
    """Mark a route that works anonymously: the empty requirement is an alternative.

    FastAPI lists the bearer scheme as a requirement; its schema generation appends the
    lists in ``openapi_extra`` to its own.
    """
    extra = route.openapi_extra or {}
    # Routers are module-level: every app built in a process documents them again.
    if {} not in extra.get("security", []):
        route.openapi_extra = {**extra, "security": [*extra.get("security", []), {}]}


DOCS_ASSETS = "/docs-assets"


def install_docs(app: FastAPI) -> None:
    """Swagger UI at /docs and ReDoc at /redoc, with their assets served from here.

    FastAPI's defaults load them from a CDN; a server without internet access (or a
    strict network policy) would show an empty page.
    """
    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=assets), name="docs-assets")
    title = f"{app.title} API"
    oauth2_redirect = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=title,
            oauth2_redirect_url=oauth2_redirect,
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )

    @app.get(oauth2_redirect, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=title,
            redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )
