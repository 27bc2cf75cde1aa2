"""Path dependencies for links: a valid link id."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from photoshare.links import service
from photoshare.links.models import Link


async def valid_link(link_id: Annotated[str, Path(max_length=64)]) -> Link:
    """The link with this id, or 404."""
    return await service.get(link_id)


ValidLink = Annotated[Link, Depends(valid_link)]
