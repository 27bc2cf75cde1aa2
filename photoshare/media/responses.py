"""Responses for stored and rendered images: ETags, immutable caching, 304s."""

from __future__ import annotations

import os
from pathlib import Path as FsPath
from typing import Any

from fastapi import Response
from fastapi.responses import FileResponse

from photoshare.errors import NotFound
from photoshare.media.formats import IMAGE_FORMATS, content_type_of
from photoshare.schemas import binary_content

# Keys are never reused for other bytes, so a served file never changes.
IMMUTABLE = "public, max-age=31536000, immutable"

# The OpenAPI entries of a route that answers with an image file.
IMAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The image",
        "content": binary_content(*(f.content_type for f in IMAGE_FORMATS)),
    },
    304: {"description": "Not modified: the client's copy (If-None-Match) is current"},
}


def etag_of(stat: os.stat_result) -> str:
    return f'"{stat.st_size:x}-{int(stat.st_mtime_ns):x}"'


def media_type_of(path: FsPath) -> str:
    return content_type_of(path.suffix.lstrip("."))


def image_headers(etag: str) -> dict[str, str]:
    return {"Cache-Control": IMMUTABLE, "ETag": etag, "X-Content-Type-Options": "nosniff"}


def client_has(etag: str, if_none_match: str | None) -> bool:
    """Whether the client's If-None-Match already names this version."""
    return bool(if_none_match) and etag in {t.strip() for t in (if_none_match or "").split(",")}


def bytes_response(
    content: bytes, media_type: str, etag: str, if_none_match: str | None
) -> Response:
    """Bytes with an ETag and immutable caching; 304 when the client has them already."""
    headers = image_headers(etag)
    if client_has(etag, if_none_match):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=media_type, headers=headers)


def file_response(path: FsPath, if_none_match: str | None) -> Response:
    """A file with an ETag and immutable caching; 304 when the client has it already."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise NotFound("No such image") from None
    headers = image_headers(etag_of(stat))
    if client_has(headers["ETag"], if_none_match):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=media_type_of(path), headers=headers, stat_result=stat)
