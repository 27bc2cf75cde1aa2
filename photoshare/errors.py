"""Domain errors and the one handler that turns them into JSON responses."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import (
    ConnectionFailure,
    DocumentTooLarge,
    DuplicateKeyError,
    OperationFailure,
    PyMongoError,
)
from redis.exceptions import RedisError
from starlette.datastructures import UploadFile

log = logging.getLogger(__name__)


class PhotoShareError(Exception):
    """Base of every error a service raises; carries its HTTP status and a message."""

    status_code = 400
    detail = "Bad request"

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None):
        self.detail = detail or self.detail
        self.headers = headers
        super().__init__(self.detail)


class NotAuthenticated(PhotoShareError):
    status_code = 401
    detail = "Not authenticated"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class NotAllowed(PhotoShareError):
    status_code = 403
    detail = "You are not allowed to do this"


class NotFound(PhotoShareError):
    status_code = 404
    detail = "Not found"


class Conflict(PhotoShareError):
    status_code = 409
    detail = "Conflict"


class PayloadTooLarge(PhotoShareError):
    status_code = 413
    detail = "The upload is too large"


class UnsupportedMediaType(PhotoShareError):
    status_code = 415
    detail = "This file type is not accepted"


class InvalidInput(PhotoShareError):
    status_code = 422
    detail = "Invalid input"


class ImageNotProcessed(PhotoShareError):
    """A valid image this server failed to process: its failure, logged, never "broken"."""

    status_code = 422
    detail = (
        "The server could not process this image, although the file is valid; the problem "
        "has been logged. Try again later, or upload it as a JPEG or PNG"
    )


class LinkNotValid(PhotoShareError):
    """A single-use emailed token (password reset) that is spent, expired or forged."""

    status_code = 400
    detail = "This link is not valid"


class TooManyRequests(PhotoShareError):
    status_code = 429
    detail = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class ServiceUnavailable(PhotoShareError):
    status_code = 503
    detail = "Service unavailable"


class ChangeNotSaved(ServiceUnavailable):
    """The embedded store could not write a change to disk, so it did not make it."""

    detail = "The change could not be saved and was not made; try again shortly"


async def _handle_photoshare_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PhotoShareError)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


# Echoed input is cut to this many characters: a 422 never repeats a whole upload.
MAX_ECHOED_TEXT = 200
HIDDEN = "[hidden]"


def _is_secret(name: object) -> bool:
    """Fields whose values a 422 never repeats (password, current_password, ...)."""
    return isinstance(name, str) and "password" in name.lower()


def _printable(text: str) -> str:
    """Text that encodes as UTF-8 (lone surrogates become U+FFFD), cut to a safe length."""
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text if len(text) <= MAX_ECHOED_TEXT else text[:MAX_ECHOED_TEXT] + "…"


def echoable(value: Any) -> Any:
    """``value`` as a 422 may repeat it: JSON-safe, secrets hidden, files and long text cut."""
    if isinstance(value, str):
        return _printable(value)
    if isinstance(value, bool | int | None):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {
            _printable(str(key)): HIDDEN if _is_secret(key) else echoable(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [echoable(item) for item in value]
    if isinstance(value, UploadFile):
        return f"<file {_printable(value.filename or '')!r}>"
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    return _printable(str(value))


def _echoable_error(error: dict[str, Any]) -> dict[str, Any]:
    loc = [echoable(part) for part in error.get("loc", ())]
    safe = {**error, "loc": loc, "msg": _printable(str(error.get("msg", "")))}
    if "input" in error:
        safe["input"] = (
            HIDDEN if any(_is_secret(part) for part in loc) else echoable(error["input"])
        )
    if "ctx" in error:
        safe["ctx"] = echoable(error["ctx"])
    return safe


async def _handle_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        {"detail": [_echoable_error(error) for error in exc.errors()]}, status_code=422
    )


class RecordTooLarge(Conflict):
    """A change would make a record larger than MongoDB's 16 MiB document limit."""

    detail = (
        "This change would make the record larger than the database allows (16 MiB); "
        "it was not made"
    )


# Server error codes of a document past the 16 MiB BSON limit: BSONObjectTooLarge, and
# an update whose result would be too large.
_TOO_LARGE_CODES = frozenset({10334, 17419, 17420})
DATABASE_UNAVAILABLE = "The database is not answering; try again shortly"
INTERNAL_ERROR = "internal error"


def is_unavailable(error: PyMongoError) -> bool:
    """Whether the database did not answer in time (worth retrying), not refused the call."""
    return isinstance(error, ConnectionFailure) or error.timeout


def is_document_too_large(error: Exception) -> bool:
    """Whether a write would make a document larger than MongoDB's 16 MiB limit."""
    if isinstance(error, DocumentTooLarge):
        return True
    return isinstance(error, OperationFailure) and error.code in _TOO_LARGE_CODES


def duplicate_key_fields(error: DuplicateKeyError) -> list[str]:
    """The fields of the unique index a write clashed with, from the error's keyPattern."""
    pattern = (error.details or {}).get("keyPattern") or {}
    return [str(field) for field in pattern]


def database_error(error: Exception) -> PhotoShareError | None:
    """The domain error a driver error means, or None for a fault of this server."""
    if isinstance(error, PyMongoError) and is_unavailable(error):
        return ServiceUnavailable(DATABASE_UNAVAILABLE)
    if isinstance(error, DuplicateKeyError):
        fields = ", ".join(duplicate_key_fields(error)) or "value"
        return Conflict(f"That {fields} is already taken")
    if is_document_too_large(error):
        return RecordTooLarge()
    return None


async def _handle_database_error(request: Request, exc: Exception) -> JSONResponse:
    mapped = database_error(exc)
    if mapped is None:
        log.error(
            "unexpected database error on %s %s",
            request.method,
            request.url.path,
            exc_info=exc,
        )
        return JSONResponse({"detail": INTERNAL_ERROR}, status_code=500)
    log.error("database error (answered %d): %s", mapped.status_code, exc)
    return await _handle_photoshare_error(request, mapped)


async def _handle_redis_error(_: Request, exc: Exception) -> JSONResponse:
    log.error("redis error: %s", exc)
    return JSONResponse(
        {"detail": "The session store is not answering; try again shortly"}, status_code=503
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map every domain error to its status code and a ``{"detail": ...}`` body."""
    app.add_exception_handler(PhotoShareError, _handle_photoshare_error)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(PyMongoError, _handle_database_error)
    # Raised by the driver before sending; a bson error, not a PyMongoError.
    app.add_exception_handler(DocumentTooLarge, _handle_database_error)
    app.add_exception_handler(RedisError, _handle_redis_error)
