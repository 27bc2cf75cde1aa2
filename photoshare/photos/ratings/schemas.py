"""API shapes for ratings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field


class RatingIn(BaseModel):
    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [{"stars": 5}]}}

    # Strict: 2.5, "5" and true are not star counts.
    stars: Annotated[int, Field(strict=True, ge=1, le=5)]


class Rater(BaseModel):
    username: str


class RatingOut(BaseModel):
    user: Rater
    stars: int
    created_at: datetime
