"""Photo routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile, status
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from photoshare.deps import CurrentUser, OptionalUser, Paging, RuntimeDep
from photoshare.limits import UPLOADS, spend
from photoshare.openapi import errors
from photoshare.photos import service
from photoshare.photos.deps import OwnedPhoto, SearchQuery, ValidPhoto
from photoshare.photos.schemas import MAX_DESCRIPTION_LENGTH, PhotoOut, PhotoUpdate
from photoshare.photos.tags.schemas import TagNames
from photoshare.schemas import BINARY, IMAGE_PART, REPEATED_FIELD, Page, multipart_encoding
from photoshare.text import MULTI_LINE

router = APIRouter(prefix="/api/v1/photos", tags=["photos"])

_tag_names = TypeAdapter(TagNames)


def parse_tags(values: list[str]) -> list[str]:
    """Validate form tags like a body field, so errors keep FastAPI's 422 shape."""
    try:
        return _tag_names.validate_python(values)
    except ValidationError as exc:
        issues = [{**issue, "loc": ("body", "tags", *issue["loc"])} for issue in exc.errors()]
        raise RequestValidationError(issues) from exc


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Upload a photo",
    openapi_extra=multipart_encoding(file=IMAGE_PART, tags=REPEATED_FIELD),
    responses=errors(429),
)
async def upload_photo(
    user: CurrentUser,
    runtime: RuntimeDep,
    file: Annotated[
        UploadFile,
        File(description="JPEG, PNG, WebP, GIF, HEIC or AVIF.", json_schema_extra=BINARY),
    ],
    tags: Annotated[
        list[str],
        Form(
            default_factory=list,
            description="Up to 5 tags: repeat the field and/or separate with commas.",
            # Swagger's "Try it out" starts from the default, not a sample tag "string".
            json_schema_extra={"default": []},
        ),
    ],
    description: Annotated[str, Form(max_length=MAX_DESCRIPTION_LENGTH), MULTI_LINE] = "",
) -> PhotoOut:
    """Upload an image with a description and up to five tags.

    Each account may upload PHOTOSHARE_RATE_LIMIT_UPLOADS_PER_HOUR photos an hour (429).
    """
    tag_names = parse_tags(tags)
    async with spend(runtime, UPLOADS, user):
        photo = await service.create(runtime, user, file, description.strip(), tag_names)
    return await service.present(runtime, photo, user)


@router.get("", summary="Search photos", responses=errors(403, 422))
async def list_photos(
    runtime: RuntimeDep, viewer: OptionalUser, query: SearchQuery, paging: Paging
) -> Page[PhotoOut]:
    """Search and filter photos; newest first unless another sort is asked for."""
    photos, total = await service.search(query, paging.limit, paging.offset)
    return await service.present_page(runtime, photos, total, paging, viewer)


@router.get("/{photo_id}", summary="Get a photo")
async def get_photo(photo: ValidPhoto, runtime: RuntimeDep, viewer: OptionalUser) -> PhotoOut:
    """Return one photo; this is its unique link."""
    return await service.present(runtime, photo, viewer)


@router.put("/{photo_id}", summary="Edit a photo", responses=errors(409))
async def update_photo(
    user: CurrentUser, photo: OwnedPhoto, data: PhotoUpdate, runtime: RuntimeDep
) -> PhotoOut:
    """Change the description and, when given, the tags (owner or admin)."""
    return await service.present(runtime, await service.update(photo, data), user)


@router.delete("/{photo_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a photo")
async def delete_photo(photo: OwnedPhoto, runtime: RuntimeDep) -> Response:
    """Delete the photo with its stored files (owner or admin)."""
    await service.delete(runtime, photo)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
