"""Receiving an uploaded file: copied in chunks to a private temp file, size-capped."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import UploadFile
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from photoshare.errors import PayloadTooLarge

CHUNK = 1 << 20


def too_large_message(max_bytes: int) -> str:
    size = (
        f"{max_bytes / 1_048_576:.0f} MB" if max_bytes >= 1_048_576 else f"{max_bytes // 1024} KB"
    )
    return f"The upload is too large; files up to {size} are accepted"


def new_temp_file(workdir: Path, suffix: str) -> Path:
    """Create an empty private file in ``workdir``; the caller removes it."""
    workdir.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=workdir, suffix=suffix, delete=False)  # noqa: SIM115
    handle.close()
    return Path(handle.name)


def _copy_capped(upload: UploadFile, target: Path, max_bytes: int) -> None:
    upload.file.seek(0)
    written = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(CHUNK):
            written += len(chunk)
            if written > max_bytes:
                raise PayloadTooLarge(too_large_message(max_bytes))
            out.write(chunk)


@asynccontextmanager
async def received_file(upload: UploadFile, workdir: Path, max_bytes: int) -> AsyncIterator[Path]:
    """Yield the upload as a file of our own; it is removed afterwards, whatever happens."""
    path = await anyio.to_thread.run_sync(new_temp_file, workdir, ".upload")
    try:
        await anyio.to_thread.run_sync(_copy_capped, upload, path, max_bytes)
        yield path
    finally:
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))


class BodySizeLimit:
    """ASGI middleware that refuses request bodies over ``max_bytes`` with a JSON 413.

    A declared Content-Length is refused before anything is read; a chunked body is
    cut off as soon as it passes the limit, so an upload is never read to its end.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, upload_limit: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.message = too_large_message(upload_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response = JSONResponse({"detail": self.message}, status_code=413)
            await response(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # An HTTPException passes through FastAPI's body parsing untouched.
                    raise HTTPException(413, self.message)
            return message

        await self.app(scope, limited_receive, send)
