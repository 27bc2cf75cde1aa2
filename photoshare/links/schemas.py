"""API shapes for links and transformations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, model_validator

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


def _exactly_one(schema: dict[str, Any]) -> None:
    """The schema says what the validator checks: one of the two, and not null."""
    fields = schema.pop("properties")
    for key in ("type", "additionalProperties", "required"):
        schema.pop(key, None)
    # Two object shapes, so generated clients offer one model for each way.
    schema["oneOf"] = [
        {
            "type": "object",
            "title": f"LinkFrom{name.title()}",
            "properties": {
                name: {
                    **fields[name],
                    "anyOf": [b for b in fields[name]["anyOf"] if b != {"type": "null"}],
                }
            },
            "required": [name],
            "additionalProperties": False,
        }
        for name in _CHOICES
    ]
    schema["examples"] = _LINK_EXAMPLES


class LinkCreate(BaseModel):
    """Either a transformation (JSON operations or the Cloudinary string form) or a preset name."""

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
    photo_id: str
    transformation: str
    url: str
    qr_url: str
    created_by: str
    created_at: datetime


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
