"""The OpenAPI document: every route has a summary, a tag and its error responses."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.factories import PhotoFactory, UserFactory

ERROR_STATUSES = {"401", "403", "404", "409", "413", "415", "422", "429"}


async def test_every_route_is_documented(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    operations = [
        (method.upper(), path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
    ]
    assert len(operations) >= 36
    for method, path, op in operations:
        where = f"{method} {path}"
        assert op.get("summary"), where
        assert op.get("description"), where  # the route's docstring
        assert len(op.get("tags", [])) == 1, where
        responses: dict[str, Any] = op["responses"]
        if "{" in path:
            assert "404" in responses, where
        if any("OAuth2PasswordBearer" in req for req in op.get("security", [])):
            assert "401" in responses, where
        if op.get("parameters") or op.get("requestBody"):
            assert "422" in responses, where
        for status in ERROR_STATUSES & set(responses):
            content = responses[status].get("content", {}).get("application/json", {})
            assert "$ref" in content.get("schema", {}), f"{where} {status}"
            assert responses[status]["description"], f"{where} {status}"


async def test_uploads_and_conflicts_are_declared(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert {"413", "415"} <= set(paths["/api/v1/photos"]["post"]["responses"])
    assert {"413", "415"} <= set(paths["/api/v1/users/me/avatar"]["put"]["responses"])
    assert "409" in paths["/api/v1/auth/signup"]["post"]["responses"]
    assert {"403", "409"} <= set(paths["/api/v1/photos/{photo_id}/ratings"]["post"]["responses"])
    assert {"401", "403", "429"} <= set(paths["/api/v1/auth/login"]["post"]["responses"])


async def test_swagger_authorize_logs_in_through_the_login_form(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    [scheme] = schema["components"]["securitySchemes"].values()
    assert scheme["type"] == "oauth2"
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/login"
    login = schema["paths"]["/api/v1/auth/login"]["post"]["requestBody"]["content"]
    assert "application/x-www-form-urlencoded" in login
    assert (await client.get("/docs")).status_code == 200


async def test_request_bodies_have_examples(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    for name in ("SignupRequest", "PhotoUpdate", "LinkCreate", "CommentIn", "RatingIn"):
        assert schemas[name].get("examples"), name


async def test_unparsable_bodies_are_400_and_documented(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    """Found by tests/security/test_fuzz.py: FastAPI answers 400 to a body it cannot parse."""
    account = await users.create()
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path, item in paths.items():
        for method, op in item.items():
            if "requestBody" in op:
                assert "400" in op["responses"], f"{method.upper()} {path}"
    not_utf8 = await client.patch(
        "/api/v1/users/me",
        content=b"\xff\xfe{",
        headers={**account.headers, "Content-Type": "application/json"},
    )
    assert not_utf8.status_code == 400
    assert not_utf8.json()["detail"]
    broken_form = await client.post(
        "/api/v1/photos",
        content=b"--b\r\n-5086--b--\r\n",
        headers={**account.headers, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert broken_form.status_code == 400
    assert broken_form.json()["detail"]


async def test_image_routes_document_their_content_and_304(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    """Found by tests/security/test_fuzz.py: images were documented as JSON, 304 not at all."""
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in ("/media/{key}", "/s/{slug}"):
        responses = paths[path]["get"]["responses"]
        assert set(responses["200"]["content"]) == {"image/*"}, path
        assert "304" in responses, path

    owner = await users.create()
    photo = await photos.upload(owner)
    media = urlsplit(str(photo["url"])).path
    served = await client.get(media)
    assert served.headers["content-type"] == "image/jpeg"
    cached = await client.get(media, headers={"If-None-Match": served.headers["etag"]})
    assert cached.status_code == 304


async def test_swagger_ui_and_redoc_work_without_a_cdn(client: httpx.AsyncClient) -> None:
    for page, asset in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        html = await client.get(page)
        assert html.status_code == 200
        assert "https://" not in html.text  # nothing is loaded from elsewhere
        assert f"/docs-assets/{asset}" in html.text
        script = await client.get(f"/docs-assets/{asset}")
        assert script.status_code == 200
        assert "javascript" in script.headers["content-type"]
    assert (await client.get("/docs-assets/swagger-ui.css")).status_code == 200
    assert (await client.get("/docs/oauth2-redirect")).status_code == 200
