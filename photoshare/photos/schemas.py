"""API shapes for photos; never the Photo document itself."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, WithJsonSchema

from photoshare.media.metadata import Camera
from photoshare.photos.ratings.schemas import RatingSummary
from photoshare.photos.search import DATE_HELP, Sort
from photoshare.photos.tags.schemas import TagNames
from photoshare.text import MULTI_LINE, SINGLE_LINE
from photoshare.users.schemas import UserRef

MAX_DESCRIPTION_LENGTH = 2000
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_DESCRIPTION_LENGTH), MULTI_LINE
]


class DisplaySizeOut(BaseModel):
    url: str
    width: int
    height: int


class PhotoSizes(BaseModel):
    """WebP display sizes of the photo, never larger than the photo itself."""

    thumb: DisplaySizeOut = Field(description="Fits 480x480: for grids.")
    preview: DisplaySizeOut = Field(description="Fits 1600x1600: for the photo page.")


_TAKEN_AT = Field(
    description=(
        "When the photo was taken, from the camera's EXIF (DateTimeOriginal); with the "
        "camera's offset when it recorded one (OffsetTimeOriginal), else without an offset: "
        "the camera's clock, its time zone unknown (taken_newest/taken_oldest sort such a "
        "time as if it were UTC). Null when the file did not say."
    ),
    json_schema_extra={
        "anyOf": [
            {"type": "string", "format": "date-time"},
            {
                "type": "string",
                "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$",
                "description": "The camera's local time, without an offset.",
            },
            {"type": "null"},
        ]
    },
)


class PhotoOut(BaseModel):
    id: str
    url: str = Field(description="The full stored image.")
    sizes: PhotoSizes | None = Field(
        description=(
            "Display sizes made at upload. Null for photos stored before display sizes "
            "existed (until the operator runs `photoshare backfill-derivatives`): show `url`."
        )
    )
    placeholder: str | None = Field(
        description=(
            "A BlurHash (4x3 components) to paint before any image arrives; null like `sizes`."
        )
    )
    owner: UserRef
    description: str
    tags: list[str]
    width: int
    height: int
    format: str
    bytes: int
    created_at: datetime
    updated_at: datetime
    rating: RatingSummary
    comments_count: int
    taken_at: Annotated[datetime | None, _TAKEN_AT]
    camera: Camera | None = Field(
        description="The camera, lens and exposure; null when nothing is known. Never where."
    )
    can_edit: bool = Field(description="Whether the caller may edit it: its owner or an admin.")
    can_delete: bool = Field(description="Whether the caller may delete it: its owner or an admin.")


# Tags in a JSON body: a list, or one comma-separated string ("sea, dunes").
_TAGS_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "array", "items": {"type": "string"}},
        {"type": "string", "description": "Comma-separated tags."},
        {"type": "null"},
    ],
    "description": "Replace the tags: at most 5 after splitting on commas, each 1-32 characters.",
}


class PhotoUpdate(BaseModel):
    """New description; tags replace the old ones when given."""

    model_config = {
        "extra": "forbid",
        "json_schema_extra": {"examples": [{"description": "Dunes at dawn", "tags": ["sea"]}]},
    }

    description: Description
    tags: Annotated[TagNames | None, WithJsonSchema(_TAGS_SCHEMA)] = None


# A day or a moment: the schema says which strings are dates (photos.search.parse_bound
# reads them).
_DATE = Field(
    max_length=40,
    description=DATE_HELP,
    json_schema_extra={
        "anyOf": [
            {"type": "string", "format": "date"},
            {"type": "string", "format": "date-time"},
            {
                "type": "string",
                "pattern": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$",
                "description": "A datetime without an offset is UTC.",
            },
            {"type": "string", "maxLength": 0, "description": "Empty: no bound."},
        ]
    },
)


class PhotoSearchParams(BaseModel):
    """The search's query parameters as sent; photos.deps.search_query reads them."""

    q: Annotated[
        str,
        Field(max_length=200, description="Words that must all appear (description, tags)."),
        SINGLE_LINE,
    ] = ""
    tag: Annotated[
        str, Field(max_length=32, description="An exact tag name ('#cat' is 'cat')."), SINGLE_LINE
    ] = ""
    owner: Annotated[
        str,
        Field(max_length=64, description="A username: yours, or any for moderators."),
        SINGLE_LINE,
    ] = ""
    min_rating: Annotated[float | None, Field(ge=1, le=5, description="Lowest average.")] = None
    date_from: Annotated[str | None, _DATE, SINGLE_LINE] = None
    date_to: Annotated[str | None, _DATE, SINGLE_LINE] = None
    sort: Annotated[
        Sort,
        Field(
            description="Order of the results; taken_newest and taken_oldest order by taken_at, "
            "photos without one last."
        ),
    ] = "newest"
