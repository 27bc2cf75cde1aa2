"""Album share links: making one, and the page its URL shows once the link's policy let the
request through (the gate and the view count are the links domain's, as for photo links).

The link is the permission: a private album's page is shown to whoever holds its link.
A deleted album's links go with it (``albums.service.delete``); a link whose album is gone
all the same is 404, like a photo link whose photo is gone.
"""

from __future__ import annotations

from beanie import PydanticObjectId

from photoshare.albums import service as albums
from photoshare.albums.models import Album
from photoshare.albums.share_page import (
    PAGE_SIZE,
    AlbumView,
    SharePage,
    photo_offset,
    render,
    shown,
)
from photoshare.errors import NotFound
from photoshare.links import service as links
from photoshare.links.models import Link
from photoshare.links.schemas import LinkPolicy
from photoshare.runtime import Runtime
from photoshare.schemas import Pagination
from photoshare.users import service as users
from photoshare.users.models import User
from photoshare.users.schemas import username_of


async def share(runtime: Runtime, album: Album, user: User, policy: LinkPolicy) -> Link:
    """A new link to the album's page under ``policy``; every request makes its own."""
    assert album.id is not None
    link = await links.create_for_album(runtime, album.id, user, policy)
    try:
        await albums.get(str(album.id))
    except NotFound:
        # The album was deleted while its link was being made: no link outlives it.
        await links.delete_for_album(album.id)
        raise
    return link


async def album_page(runtime: Runtime, album_id: PydanticObjectId, page: int) -> SharePage:
    """Page ``page`` of the album's photos (PAGE_SIZE of them), in album order, as HTML."""
    try:
        album = await albums.get(str(album_id))
    except NotFound:
        raise NotFound("This link's album is gone") from None
    paging = Pagination(limit=PAGE_SIZE, offset=photo_offset(page))
    photos = await albums.photos_page(runtime, album, None, paging)
    owners = await users.by_ids([album.owner_id])
    view = AlbumView(
        title=album.title,
        description=album.description,
        owner=username_of(owners.get(album.owner_id)),
        photos=[
            shown(photo, paging.offset + number)
            for number, photo in enumerate(photos.items, start=1)
        ],
        total=photos.total,
        page=page,
    )
    return render(view)
