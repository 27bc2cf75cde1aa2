"""Domain errors and the one handler that turns them into JSON responses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError

from photoshare.db import PyMongoError

log = logging.getLogger(__name__)


class PhotoShareError(Exception):
    """Base of every error a service raises; carries its HTTP status and a message."""

    status_code = 400
    detail = "Bad request"

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None):
        self.detail = detail or self.detail
        self.headers = headers
        super().__init__(self.detail)


class BadRequest(PhotoShareError):
    status_code = 400


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


class TooManyRequests(PhotoShareError):
    status_code = 429
    detail = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class ServiceUnavailable(PhotoShareError):
    status_code = 503
    detail = "Service unavailable"


async def _handle_photoshare_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PhotoShareError)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _handle_database_error(_: Request, exc: Exception) -> JSONResponse:
    log.error("database error: %s", exc)
    return JSONResponse(
        {"detail": "The database is not answering; try again shortly"}, status_code=503
    )


async def _handle_redis_error(_: Request, exc: Exception) -> JSONResponse:
    log.error("redis error: %s", exc)
    return JSONResponse(
        {"detail": "The session store is not answering; try again shortly"}, status_code=503
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map every domain error to its status code and a ``{"detail": ...}`` body."""
    app.add_exception_handler(PhotoShareError, _handle_photoshare_error)
    app.add_exception_handler(PyMongoError, _handle_database_error)
    app.add_exception_handler(RedisError, _handle_redis_error)
