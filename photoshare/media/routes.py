"""Serving locally stored images with validators and long cache lifetimes."""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, Header, Path, Response
from fastapi.responses import FileResponse

from photoshare.deps import RuntimeDep
from photoshare.errors import NotFound
from photoshare.media.storage import KEY_PATTERN, LocalStorage

router = APIRouter(tags=["media"])

CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
}
# Keys are never reused for other bytes, so a served file never changes.
IMMUTABLE = "public, max-age=31536000, immutable"


@router.get("/media/{key:path}", summary="A stored image")
async def serve_media(
    key: Annotated[str, Path(max_length=300)],
    runtime: RuntimeDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Serve a stored image file (local storage)."""
    storage = runtime.storage
    if not isinstance(storage, LocalStorage) or not KEY_PATTERN.match(key):
        raise NotFound("No such image")
    return file_response(storage.path(key), if_none_match)


def file_response(path: FsPath, if_none_match: str | None) -> Response:
    """A file with an ETag and immutable caching; 304 when the client has it already."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise NotFound("No such image") from None
    etag = f'"{stat.st_size:x}-{int(stat.st_mtime_ns):x}"'
    headers = {"Cache-Control": IMMUTABLE, "ETag": etag, "X-Content-Type-Options": "nosniff"}
    if if_none_match and etag in {tag.strip() for tag in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    media_type = CONTENT_TYPES.get(path.suffix.lstrip("."), "application/octet-stream")
    return FileResponse(path, media_type=media_type, headers=headers, stat_result=stat)
