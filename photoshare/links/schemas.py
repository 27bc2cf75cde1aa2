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


class LinkCreate(BaseModel):
    """A transformation (JSON operations or the Cloudinary string form) or a preset name."""

    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {"transformation": "c_fill,w_300,h_300/e_grayscale/r_max"},
                {
                    "transformation": [
                        {"op": "resize", "width": 300, "height": 300, "crop": "fill"},
                        {"op": "effect", "name": "sepia"},
                    ]
                },
                {"preset": "circle_avatar"},
            ]
        },
    }

    transformation: Annotated[TransformationInput, Field(description=STRING_FORM_RULES)] = None
    preset: Annotated[str, Field(max_length=64), SINGLE_LINE] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> LinkCreate:
        if (self.transformation is None) == (self.preset is None):
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
