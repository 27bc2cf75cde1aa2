"""Tag routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from photoshare.deps import Paging
from photoshare.photos.tags import service
from photoshare.photos.tags.schemas import TagCount
from photoshare.schemas import Page
from photoshare.text import SINGLE_LINE

router = APIRouter(prefix="/api/v1/tags", tags=["tags"])


@router.get("", summary="Tags in use")
async def list_tags(
    paging: Paging,
    prefix: Annotated[
        str, Query(max_length=32, description="Only tags starting with this."), SINGLE_LINE
    ] = "",
) -> Page[TagCount]:
    """List tags with how many photos carry each, most used first."""
    tags, total = await service.popular(prefix, paging.limit, paging.offset)
    return Page[TagCount].of(tags, total, paging)
