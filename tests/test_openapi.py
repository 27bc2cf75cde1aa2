"""The OpenAPI document: every route has a summary, a tag and its error responses."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute

from photoshare.deps import CurrentUser, refuses
from photoshare.errors import NotAllowed
from photoshare.openapi import document_errors
from photoshare.users.models import User
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
            schema = content.get("schema", {})
            refs = [schema] if "$ref" in schema else schema.get("anyOf", [])
            assert refs and all("$ref" in ref for ref in refs), f"{where} {status}"
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
        content = responses["200"]["content"]
        images = {kind: c for kind, c in content.items() if kind.startswith("image/")}
        assert {"image/jpeg", "image/png", "image/webp"} <= set(images), path
        assert all(c["schema"] == {"type": "string", "format": "binary"} for c in images.values())
        assert "304" in responses, path
    # Stored media are only images; an album link's URL answers the album's page.
    media = paths["/media/{key}"]["get"]["responses"]["200"]["content"]
    assert all(kind.startswith("image/") for kind in media)
    shown = paths["/s/{slug}"]["get"]["responses"]["200"]["content"]
    assert {kind for kind in shown if not kind.startswith("image/")} == {"text/html"}
    assert shown["text/html"]["schema"] == {"type": "string"}

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


async def test_operation_ids_are_the_route_names(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert paths["/api/v1/photos"]["post"]["operationId"] == "upload_photo"
    assert paths["/api/v1/photos/{photo_id}/links"]["post"]["operationId"] == "create_link"
    assert paths["/api/v1/links/{link_id}/qr"]["get"]["operationId"] == "link_qr"


async def test_uploads_are_binary_multipart_with_repeated_tags(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    for path, method in (("/api/v1/photos", "post"), ("/api/v1/users/me/avatar", "put")):
        form = schema["paths"][path][method]["requestBody"]["content"]["multipart/form-data"]
        body = schema["components"]["schemas"][form["schema"]["$ref"].rsplit("/", 1)[1]]
        assert body["properties"]["file"]["format"] == "binary", path
        assert form["encoding"]["file"]["contentType"] == "image/*", path
    upload = schema["paths"]["/api/v1/photos"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["encoding"]["tags"] == {"style": "form", "explode": True}
    tags = schema["components"]["schemas"]["Body_upload_photo"]["properties"]["tags"]
    # Swagger's "Try it out" starts from the default: no placeholder tag "string".
    assert tags["type"] == "array"
    assert tags["default"] == []
    assert "example" not in tags["items"]


async def test_qr_codes_are_documented_as_png_and_svg_bytes(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    content = paths["/api/v1/links/{link_id}/qr"]["get"]["responses"]["200"]["content"]
    binary = {"type": "string", "format": "binary"}
    assert content == {"image/png": {"schema": binary}, "image/svg+xml": {"schema": binary}}


async def test_security_is_required_optional_or_absent_as_the_route_is(
    client: httpx.AsyncClient, photos: PhotoFactory, users: UserFactory
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    bearer = {"OAuth2PasswordBearer": []}
    assert paths["/api/v1/photos"]["post"]["security"] == [bearer]
    for path in (
        "/api/v1/photos",
        "/api/v1/photos/{photo_id}",
        "/api/v1/photos/{photo_id}/comments",
    ):
        assert sorted(paths[path]["get"]["security"], key=len) == [{}, bearer], path
    for path in ("/api/v1/tags", "/s/{slug}", "/healthz"):
        assert "security" not in paths[path]["get"], path
    assert "security" not in paths["/api/v1/auth/login"]["post"]
    # The optional one really is optional: an anonymous search answers.
    await photos.upload(await users.create())
    anonymous = await client.get("/api/v1/photos")
    assert anonymous.status_code == 200
    assert anonymous.json()["total"] == 1


async def test_validation_errors_and_domain_errors_have_their_own_schemas(
    client: httpx.AsyncClient, users: UserFactory
) -> None:
    schema = (await client.get("/openapi.json")).json()
    components = schema["components"]["schemas"]
    assert components["ErrorOut"]["properties"]["detail"] == {"type": "string", "title": "Detail"}
    issues = components["ValidationErrorOut"]["properties"]["detail"]
    assert issues["type"] == "array"
    assert set(components["ValidationIssue"]["required"]) == {"loc", "msg", "type"}
    signup = schema["paths"]["/api/v1/auth/signup"]["post"]["responses"]["422"]
    assert signup["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrorOut"
    }
    # Answers have the shape their schema says.
    bad_signup = await client.post("/api/v1/auth/signup", json={"username": ""})
    assert bad_signup.status_code == 422
    assert all({"loc", "msg", "type"} <= set(issue) for issue in bad_signup.json()["detail"])
    account = await users.create()
    not_an_image = await client.post(
        "/api/v1/photos", headers=account.headers, files={"file": ("a.jpg", b"\xff\xd8\xff")}
    )
    assert not_an_image.status_code in {415, 422}
    assert isinstance(not_an_image.json()["detail"], str)
    upload = schema["paths"]["/api/v1/photos"]["post"]["responses"]["422"]
    assert upload["content"]["application/json"]["schema"]["anyOf"] == [
        {"$ref": "#/components/schemas/ValidationErrorOut"},
        {"$ref": "#/components/schemas/ErrorOut"},
    ]


async def test_servers_is_the_public_base_url(make_settings: Any) -> None:
    from tests.servers import running_app

    async with running_app(make_settings(public_base_url="https://photos.example.org/")) as c:
        schema = (await c.get("/openapi.json")).json()
    assert schema["servers"] == [{"url": "https://photos.example.org"}]


async def test_operations_require_their_op_and_dates_have_formats(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()
    components = schema["components"]["schemas"]
    for name in ("Resize", "Rotate", "Flip", "Effect", "Radius", "Border", "Format"):
        assert "op" in components[name]["required"], name
    served = await client.get("/api/v1/transformations")
    assert served.status_code == 200
    assert components["Catalogue"]["required"] == [
        "max_operations",
        "max_side",
        "max_pixels",
        "operations",
        "presets",
    ]
    catalogue = schema["paths"]["/api/v1/transformations"]["get"]["responses"]["200"]
    assert catalogue["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Catalogue"
    }
    assert "effects" in served.json()["operations"]["effect"]
    assert "effects" not in served.json()["operations"]["resize"]
    params = {p["name"]: p for p in schema["paths"]["/api/v1/photos"]["get"]["parameters"]}
    for name in ("date_from", "date_to"):
        branches = params[name]["schema"]["anyOf"]
        formats = {branch["format"] for branch in branches if "format" in branch}
        assert formats == {"date", "date-time"}, name
        # What else the server takes is said too: an offset-less datetime, and empty.
        assert any("pattern" in branch for branch in branches), name
        assert {"type": "string", "maxLength": 0} in [
            {key: branch[key] for key in ("type", "maxLength") if key in branch}
            for branch in branches
        ], name
    for day in ("2024-05-01", "2024-05-01T10:00:00Z", "2024-05-01T10:00", ""):
        assert (await client.get("/api/v1/photos", params={"date_from": day})).status_code == 200
    assert (await client.get("/api/v1/photos", params={"date_to": "May"})).status_code == 422


async def test_a_link_is_made_from_a_transformation_or_a_preset(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    link = (await client.get("/openapi.json")).json()["components"]["schemas"]["LinkCreate"]
    shapes = {tuple(shape["required"]): shape for shape in link["oneOf"]}
    assert set(shapes) == {("transformation",), ("preset",)}
    for (choice,), shape in shapes.items():
        assert shape["additionalProperties"] is False
        # The choice itself, and the optional policy (v1.1) beside either.
        assert set(shape["properties"]) == {choice, "expires_at", "password", "max_views"}
        assert {"type": "null"} not in shape["properties"][choice]["anyOf"]
    owner = await users.create()
    photo = await photos.upload(owner)
    url = f"/api/v1/photos/{photo['id']}/links"
    both = {"transformation": "e_grayscale", "preset": "grayscale"}
    assert (await client.post(url, json=both, headers=owner.headers)).status_code == 422
    one = await client.post(url, json={"preset": "grayscale"}, headers=owner.headers)
    assert one.status_code == 201


async def test_owner_moderator_and_admin_routes_document_their_403(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    """The checks mark themselves with deps.refuses(403); routes using them say so, and do it."""
    admin, ann = await users.admin_and_user()
    photo = await photos.upload(admin)
    paths = (await client.get("/openapi.json")).json()["paths"]
    refused = [
        ("PUT", "/api/v1/photos/{photo_id}", {"description": "mine now"}),  # owner or admin
        ("GET", "/api/v1/photos/{photo_id}/ratings", None),  # moderators
        ("PATCH", "/api/v1/users/{username}/role", {"role": "admin"}),  # admins
    ]
    for method, path, body in refused:
        assert "403" in paths[path][method.lower()]["responses"], f"{method} {path}"
        url = path.format(photo_id=photo["id"], username=ann.username)
        answer = await client.request(method, url, json=body, headers=ann.headers)
        assert answer.status_code == 403, f"{method} {path}: {answer.text}"
    for method, path in (("get", "/api/v1/photos/{photo_id}"), ("get", "/api/v1/users/me")):
        assert "403" not in paths[path][method]["responses"], f"{method} {path}"


@refuses(403)
async def verified_only(user: CurrentUser) -> User:
    """A check the OpenAPI writer has never heard of."""
    if not user.email_confirmed:
        raise NotAllowed("Confirm your email first")
    return user


async def verified_page(_: Annotated[User, Depends(verified_only)]) -> dict[str, str]:
    """Answer verified accounts."""
    return {}


async def open_page() -> dict[str, str]:
    """Answer anyone."""
    return {}


def test_any_dependency_marked_as_refusing_documents_its_statuses() -> None:
    """The OpenAPI writer knows no dependency by name: a new check documents itself."""
    router = APIRouter()
    router.add_api_route("/verified", verified_page, summary="A page for verified accounts")
    router.add_api_route("/open", open_page, summary="A page for anyone")
    document_errors(router)
    verified, open_ = (route for route in router.routes if isinstance(route, APIRoute))
    assert {401, 403} <= set(verified.responses)
    assert not {401, 403} & set(open_.responses)
