"""Serving locally stored images with validators and long cache lifetimes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Response

from photoshare.deps import RuntimeDep
from photoshare.errors import NotFound
from photoshare.media.responses import IMAGE_RESPONSES, file_response

router = APIRouter(tags=["media"])


@router.get(
    "/media/{key:path}",
    summary="A stored image",
    response_class=Response,
    responses=IMAGE_RESPONSES,
)
async def serve_media(
    key: Annotated[str, Path(max_length=300)],
    runtime: RuntimeDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Serve a stored image file (local storage)."""
    path = runtime.storage.local_file(key)
    if path is None:
        raise NotFound("No such image")
    return file_response(path, if_none_match)
