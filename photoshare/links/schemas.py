"""API shapes for links and transformations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from photoshare.clock import utcnow
from photoshare.links.actions import STRING_FORM_RULES
from photoshare.links.transformations import MAX_OPERATIONS, Operation, Transformation, coerce
from photoshare.text import SINGLE_LINE, single_line


def _coerce(value: Any) -> Any:
    return None if value is None else coerce(single_line(value))


TransformationInput = Annotated[
    Transformation
    | Annotated[list[Operation], Field(max_length=MAX_OPERATIONS)]
    | Annotated[str, Field(max_length=1000)]
    | None,
    BeforeValidator(_coerce),
]


_LINK_EXAMPLES: list[dict[str, Any]] = [
    {"transformation": "c_fill,w_300,h_300/e_grayscale/r_max"},
    {
        "transformation": [
            {"op": "resize", "width": 300, "height": 300, "crop": "fill"},
            {"op": "effect", "name": "sepia"},
        ]
    },
    {"preset": "circle_avatar"},
]
_CHOICES = ("transformation", "preset")
_POLICY_FIELDS = ("expires_at", "password", "max_views")
MAX_VIEWS = 1_000_000


def _exactly_one(schema: dict[str, Any]) -> None:
    """The schema says what the validator checks: one of the two, and not null."""
    fields = schema.pop("properties")
    for key in ("type", "additionalProperties", "required"):
        schema.pop(key, None)
    # Two object shapes, so generated clients offer one model for each way.
    policy = {key: fields[key] for key in _POLICY_FIELDS}
    schema["oneOf"] = [
        {
            "type": "object",
            "title": f"LinkFrom{name.title()}",
            "properties": {
                name: {
                    **fields[name],
                    "anyOf": [b for b in fields[name]["anyOf"] if b != {"type": "null"}],
                },
                **policy,
            },
            "required": [name],
            "additionalProperties": False,
        }
        for name in _CHOICES
    ]
    schema["examples"] = _LINK_EXAMPLES


class LinkPolicy(BaseModel):
    """Optional rules for a link's URL; a link with any of them is always a new link."""

    model_config = {"extra": "forbid"}

    expires_at: Annotated[
        AwareDatetime | None,
        Field(description="When the link stops working (a future time with a timezone); 410 after"),
    ] = None
    password: Annotated[
        str | None,
        Field(min_length=8, max_length=128, description="Asked for before the link shows anything"),
    ] = None
    max_views: Annotated[
        int | None,
        Field(ge=1, le=MAX_VIEWS, description="How many times the link may be viewed; 410 after"),
    ] = None

    @field_validator("expires_at")
    @classmethod
    def _in_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value <= utcnow():
            raise ValueError("expires_at must be in the future")
        return value

    @property
    def has_rules(self) -> bool:
        return any(getattr(self, name) is not None for name in _POLICY_FIELDS)


class LinkCreate(LinkPolicy):
    """Either a transformation (JSON operations or the Cloudinary string form) or a preset name,
    and optionally a policy (expires_at, password, max_views)."""

    model_config = {"extra": "forbid", "json_schema_extra": _exactly_one}

    transformation: Annotated[TransformationInput, Field(description=STRING_FORM_RULES)] = None
    preset: Annotated[str, Field(max_length=64), SINGLE_LINE] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> LinkCreate:
        sent = [name for name in _CHOICES if name in self.model_fields_set]
        if len(sent) != 1 or getattr(self, sent[0]) is None:
            raise ValueError("send either a transformation or a preset")
        return self


class LinkOut(BaseModel):
    id: str
    photo_id: str | None = Field(description="The photo shown; null for an album link")
    album_id: str | None = Field(description="The album shown; null for a photo link")
    transformation: str
    url: str
    qr_url: str
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    has_password: bool
    max_views: int | None
    views: int = Field(description="How many times the link's URL showed its image (or page)")
    last_viewed_at: datetime | None
    can_delete: bool = Field(description="Whether the caller may delete this link")


class CatalogueOperation(BaseModel):
    """One operation: its fields with their bounds or values, and its Cloudinary form."""

    fields: dict[str, dict[str, Any]]
    cloudinary: str
    effects: dict[str, dict[str, Any]] | None = Field(
        default=None, description="The effect operation's effects, with their strengths."
    )


class CataloguePreset(BaseModel):
    description: str
    transformation: str


class Catalogue(BaseModel):
    """What transformations may contain: operations, bounds and named presets."""

    max_operations: int
    max_side: int
    max_pixels: int
    operations: dict[str, CatalogueOperation]
    presets: dict[str, CataloguePreset]
