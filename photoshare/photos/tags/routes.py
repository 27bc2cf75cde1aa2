"""Tag routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from photoshare.photos.tags import service
from photoshare.photos.tags.schemas import TagCount

router = APIRouter(prefix="/api/v1/tags", tags=["tags"])


@router.get("", summary="Tags in use")
async def list_tags(
    prefix: Annotated[str, Query(max_length=32, description="Only tags starting with this.")] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[TagCount]:
    """List tags with how many photos carry each, most used first."""
    return await service.popular(prefix, limit)
