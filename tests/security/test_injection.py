"""NoSQL injection: operator objects in every JSON field and query parameter are refused
or treated as plain data."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.security.test_authorization import MATRIX, build_world

OPERATORS: list[Any] = [{"$gt": ""}, {"$ne": None}, {"$where": "sleep(1000)"}, {"$regex": ".*"}]


def _json_fields(schema: dict[str, Any], operation: dict[str, Any]) -> list[str]:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not body:
        return []
    ref = body["schema"].get("$ref", "")
    component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    # A body with alternative shapes (a link: transformation xor preset) has fields in each.
    shapes = [component, *component.get("oneOf", [])]
    return [name for shape in shapes for name in shape.get("properties", {})]


async def test_operator_objects_in_json_fields_are_refused(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    world = await build_world(client)
    checked = 0
    for (method, path), (request, _, _) in MATRIX.items():
        operation = schema["paths"][path][method.lower()]
        fields = _json_fields(schema, operation)
        if not fields:
            continue
        concrete, kwargs = request(world, "admin")
        valid = dict(kwargs.get("json") or {})
        for field in fields:
            for operator in OPERATORS:
                response = await client.request(
                    method,
                    concrete,
                    json={**valid, field: operator},
                    headers=world.headers("admin"),
                )
                assert response.status_code == 422, (method, path, field, operator, response.text)
                checked += 1
    assert checked >= 40


@pytest.mark.parametrize("operator", ['{"$gt": ""}', '{"$ne": null}', ".*", "^", "$where"])
async def test_operator_text_in_query_parameters_is_data(
    client: httpx.AsyncClient, operator: str
) -> None:
    world = await build_world(client)
    admin = world.headers("admin")
    for param in ("q", "tag", "owner"):
        response = await client.get("/api/v1/photos", params={param: operator}, headers=admin)
        assert response.status_code == 200, (param, response.text)
        assert response.json()["total"] == 0, param
    bracketed = await client.get("/api/v1/photos", params={"q[$ne]": "x", "tag[$gt]": ""})
    assert bracketed.status_code == 200
    assert bracketed.json()["total"] == 1  # unknown parameters are ignored, not interpreted
    tags = await client.get("/api/v1/tags", params={"prefix": operator})
    assert tags.status_code == 200 and tags.json()["items"] == []
    users = await client.get("/api/v1/users", params={"q": operator}, headers=admin)
    assert users.status_code == 200 and users.json()["items"] == []
    for path in (
        f"/api/v1/users/{operator}",
        f"/api/v1/photos/{operator}",
        f"/api/v1/links/{operator}",
    ):
        assert (await client.get(path)).status_code == 404


async def test_operator_text_in_login_form_is_data(client: httpx.AsyncClient) -> None:
    world = await build_world(client)
    for username in ('{"$gt": ""}', '{"$ne": null}', ".*"):
        response = await client.post(
            "/api/v1/auth/login",
            data={"username": username, "password": world.accounts["owner"].password},
        )
        assert response.status_code == 401
