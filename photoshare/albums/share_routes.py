"""The album share-link route: a link whose URL shows the album's page to anyone holding it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, status

from photoshare.albums import sharing
from photoshare.albums.deps import OwnedAlbum
from photoshare.deps import CurrentUser, RuntimeDep
from photoshare.limits import LINKS, spend
from photoshare.links import service as links
from photoshare.links.schemas import LinkOut, LinkPolicy
from photoshare.openapi import errors

router = APIRouter(tags=["albums"])


@router.post(
    "/api/v1/albums/{album_id}/links",
    status_code=status.HTTP_201_CREATED,
    summary="Share an album",
    responses=errors(429),
)
async def create_album_link(
    user: CurrentUser,
    album: OwnedAlbum,
    runtime: RuntimeDep,
    policy: Annotated[LinkPolicy | None, Body()] = None,
) -> LinkOut:
    """Create a link whose URL shows the album's page (its owner or an admin), under the policy.

    Every request makes a new link; the body (optional) sets its expiry, password and view limit.
    It counts towards PHOTOSHARE_RATE_LIMIT_LINKS_PER_HOUR like a photo's links (429).
    """
    async with spend(runtime, LINKS, user):
        link = await sharing.share(runtime, album, user, policy or LinkPolicy())
    [out] = await links.present(runtime, [link], user)
    return out
