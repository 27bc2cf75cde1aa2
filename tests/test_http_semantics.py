"""Methods and paths as generic HTTP tooling sees them: 405 with the real Allow, JSON 404s, HEAD.

The table of paths and methods is read from the app's own routes, so a new route is
covered without touching this file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import httpx
from fastapi.routing import iter_route_contexts

from photoshare.app import create_app
from photoshare.config import Settings
from tests.factories import PhotoFactory, UserFactory

WRONG_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PATH_PARAMETER = re.compile(r"{[^}]+}")


def _served_methods() -> dict[str, set[str]]:
    """Every route template of the app (the album aside) with the methods its routes serve."""
    app = create_app(Settings(_env_file=None, data_dir=Path("unused"), secret_key="k" * 40))
    served: dict[str, set[str]] = defaultdict(set)
    for route in iter_route_contexts(app.routes):
        if route.path and route.methods:
            served[route.path] |= route.methods
    return served


def _allow(methods: set[str]) -> str:
    head = {"HEAD"} if "GET" in methods else set()
    return ", ".join(sorted(methods | head | {"OPTIONS"}))


def _concrete(template: str) -> str:
    # A value no literal sibling uses ("me" is one for users/{username}).
    return PATH_PARAMETER.sub("someone-1", template)


async def test_every_wrong_method_on_every_route_is_405_with_the_real_allow(
    client: httpx.AsyncClient,
) -> None:
    served = _served_methods()
    assert "/api/v1/photos/{photo_id}" in served  # the table is read, not empty
    wrong: list[str] = []
    for template, methods in sorted(served.items()):
        path, allow = _concrete(template), _allow(methods)
        for method in WRONG_METHODS:
            response = await client.request(method, path)
            if method in methods:
                if response.status_code == 405:
                    wrong.append(f"{method} {path}: 405 though served")
                continue
            body = response.json() if response.status_code == 405 else None
            got = (response.status_code, response.headers.get("allow"), type(body))
            if got != (405, allow, dict) or not isinstance(body["detail"], str):
                wrong.append(f"{method} {path}: {got}, expected (405, {allow!r}, dict)")
        options = await client.options(path)
        if (options.status_code, options.headers.get("allow")) != (204, allow):
            wrong.append(f"OPTIONS {path}: {options.status_code} {options.headers.get('allow')}")
    assert wrong == []


async def test_the_methods_of_a_photo_path_with_a_real_photo(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create("owner")
    photo = await photos.upload(owner, description="first")
    path = f"/api/v1/photos/{photo['id']}"

    patched = await client.patch(path, json={"description": "x"}, headers=owner.headers)
    assert patched.status_code == 405
    assert patched.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PUT"
    assert patched.json()["detail"].startswith("Method not allowed")
    put = await client.put(path, json={"description": "second"}, headers=owner.headers)
    assert put.status_code == 200, put.text
    assert (await client.get(path)).json()["description"] == "second"
    assert (await client.delete(path, headers=owner.headers)).status_code == 204
    assert (await client.get(path)).status_code == 404


async def test_the_issue_cases(client: httpx.AsyncClient) -> None:
    listing = await client.delete("/api/v1/photos")
    assert (listing.status_code, listing.headers["allow"]) == (405, "GET, HEAD, OPTIONS, POST")
    assert listing.headers["content-type"] == "application/json"
    login = await client.get("/api/v1/auth/login")
    assert (login.status_code, login.headers["allow"]) == (405, "OPTIONS, POST")
    assert login.json()["detail"] == "Method not allowed; this path answers OPTIONS, POST"
    me = await client.delete("/api/v1/users/me")  # also matched by users/{username}
    assert (me.status_code, me.headers["allow"]) == (405, "GET, HEAD, OPTIONS, PATCH")


async def test_unknown_api_paths_are_json_404(client: httpx.AsyncClient) -> None:
    for method, path in [
        ("GET", "/api/v1/nothing"),
        ("POST", "/api/v2/photos"),
        ("DELETE", "/api/nothing"),
        ("GET", "/api"),
        ("GET", "/s/"),
        ("PUT", "/s/a/b"),
        ("GET", "/media/"),
        ("GET", "/healthz/more"),
    ]:
        response = await client.request(method, path)
        assert response.status_code == 404, (method, path)
        assert response.headers["content-type"] == "application/json", (method, path)
        assert isinstance(response.json()["detail"], str), (method, path)


async def test_head_is_the_get_without_its_body(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    owner = await users.create("owner")
    await photos.upload(owner)
    for path in ("/api/v1/photos", "/api/v1/transformations", "/healthz", "/", "/openapi.json"):
        get, head = await client.get(path), await client.head(path)
        assert (get.status_code, head.status_code) == (200, 200), path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path
        assert head.headers["content-length"] == str(len(get.content)), path
    missing = await client.head("/api/v1/photos/0123456789abcdef01234567")
    assert (missing.status_code, missing.content) == (404, b"")
    refused = await client.head("/api/v1/auth/login")
    assert (refused.status_code, refused.headers["allow"], refused.content) == (
        405,
        "OPTIONS, POST",
        b"",
    )


async def test_the_album_keeps_serving_its_page_and_assets(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text.lower()
    for asset, content_type in [
        ("/app.js", "javascript"),
        ("/views/feed.js", "javascript"),
        ("/styles.css", "text/css"),
    ]:
        response = await client.get(asset)
        assert response.status_code == 200, asset
        assert content_type in response.headers["content-type"], asset
        assert response.content
    wrong = await client.post("/")
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "GET, HEAD, OPTIONS")
    assert (await client.options("/app.js")).headers["allow"] == "GET, HEAD, OPTIONS"
    assert (await client.get("/no-such-file.js")).status_code == 404
