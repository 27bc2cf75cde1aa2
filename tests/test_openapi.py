"""The OpenAPI document: every route has a summary, a tag and its error responses."""

from __future__ import annotations

from typing import Any

import httpx

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
