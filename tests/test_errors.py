"""A database error is answered for what it is: unavailable, a clash, too large, or a fault."""

from __future__ import annotations

import logging

import httpx
import pytest
from pymongo.errors import (
    AutoReconnect,
    DocumentTooLarge,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
    WTimeoutError,
)

from photoshare.photos.tags import service as tags_service
from photoshare.users.models import User

DOWN = "The database is not answering; try again shortly"


def _failing(error: PyMongoError) -> object:
    async def popular(*_: object) -> None:
        raise error

    return popular


@pytest.mark.parametrize(
    "error",
    [
        ServerSelectionTimeoutError("no primary within 5000 ms"),
        NetworkTimeout("timed out reading from 10.0.0.5:27017"),
        AutoReconnect("connection closed"),
        ExecutionTimeout("operation exceeded time limit", 50),
        WTimeoutError("waiting for replication timed out", 64),
    ],
    ids=type,
)
async def test_an_unanswering_database_is_503(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, error: PyMongoError
) -> None:
    monkeypatch.setattr(tags_service, "popular", _failing(error))
    response = await client.get("/api/v1/tags")
    assert response.status_code == 503
    assert response.json() == {"detail": DOWN}


@pytest.mark.parametrize(
    "error",
    [
        DocumentTooLarge("BSON document too large (17000000 bytes)"),
        OperationFailure("BSONObjectTooLarge", 10334),
        OperationFailure("Resulting document after update is larger than 16777216", 17419),
    ],
    ids=lambda error: f"{type(error).__name__}-{getattr(error, 'code', None)}",
)
async def test_a_record_past_the_document_limit_is_409_saying_so(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, error: PyMongoError
) -> None:
    monkeypatch.setattr(tags_service, "popular", _failing(error))
    response = await client.get("/api/v1/tags")
    assert response.status_code == 409
    assert "larger than the database allows (16 MiB)" in response.json()["detail"]


async def test_an_unexpected_clash_names_the_field_of_its_index(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    clash = DuplicateKeyError(
        "E11000 duplicate key error collection: photoshare.tags index: name_1 dup key: "
        '{ name: "email_key" }',
        11000,
        {"code": 11000, "keyPattern": {"name": 1}, "keyValue": {"name": "email_key"}},
    )
    monkeypatch.setattr(tags_service, "popular", _failing(clash))
    response = await client.get("/api/v1/tags")
    assert response.status_code == 409
    assert response.json() == {"detail": "That name is already taken"}


async def test_any_other_database_error_is_a_logged_500(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    error = OperationFailure("$regex has to be a string", 2)
    monkeypatch.setattr(tags_service, "popular", _failing(error))
    with caplog.at_level(logging.ERROR, logger="photoshare.errors"):
        response = await client.get("/api/v1/tags")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    [record] = [r for r in caplog.records if r.name == "photoshare.errors"]
    assert "GET /api/v1/tags" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[1] is error


def _signup(username: str, email: str) -> dict[str, str]:
    return {"username": username, "email": email, "password": "long enough 1"}


@pytest.mark.parametrize(
    ("second", "field"),
    [
        # A username that reads like the email index's name is still a username clash.
        (_signup("Email_Key", "other@example.com"), "username"),
        (_signup("someone_else", "EMAIL_KEY@example.com"), "email"),
    ],
)
async def test_a_signup_clash_names_the_field_that_clashed(
    client: httpx.AsyncClient, second: dict[str, str], field: str
) -> None:
    first = await client.post(
        "/api/v1/auth/signup", json=_signup("email_key", "email_key@example.com")
    )
    assert first.status_code == 201
    response = await client.post("/api/v1/auth/signup", json=second)
    assert response.status_code == 409
    assert response.json() == {"detail": f"That {field} is already taken"}
    assert await User.count() == 1
