"""API shapes for ratings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field


def _whole_number(value: Any) -> Any:
    """``4.0`` is the integer 4 in JSON (and JSON Schema); ``4.5`` stays a float, refused."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# A photo's ratings in two numbers (on a photo, and received on a profile).
class RatingSummary(BaseModel):
    average: float = 0.0
    count: int = 0


class RatingIn(BaseModel):
    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [{"stars": 5}]}}

    # Strict: 2.5, "5" and true are not star counts; 4.0 is JSON's way to write 4 too.
    stars: Annotated[int, Field(strict=True, ge=1, le=5), BeforeValidator(_whole_number)]


class Rater(BaseModel):
    username: str


class RatingOut(BaseModel):
    user: Rater
    stars: int
    created_at: datetime
