"""Share links: one per photo and canonical transformation, with a short public URL."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.to_thread
from beanie import PydanticObjectId

from photoshare.db import DuplicateKeyError, collection
from photoshare.errors import InvalidInput, NotAllowed, NotFound
from photoshare.links import presets
from photoshare.links.cloudinary import sdk_transformation
from photoshare.links.models import Link
from photoshare.links.negotiation import Offer, chosen_offer, offered_extension
from photoshare.links.plan import TransformationTooLarge, plan
from photoshare.links.render_cache import ServedRender
from photoshare.links.renderer import fallback_format
from photoshare.links.schemas import LinkCreate, LinkOut
from photoshare.links.transformations import OutputFormat, Transformation, canonical, parse
from photoshare.media.vips import pyvips
from photoshare.photos.models import Photo
from photoshare.runtime import Runtime
from photoshare.users import service as users
from photoshare.users.models import Role, User
from photoshare.users.schemas import username_of

log = logging.getLogger(__name__)

SLUG_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
SLUG_LENGTH = 10


def new_slug() -> str:
    return "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_LENGTH))


def link_url(runtime: Runtime, link: Link) -> str:
    return f"{runtime.settings.base_url}/s/{link.slug}"


async def present(runtime: Runtime, links: Sequence[Link]) -> list[LinkOut]:
    creators = await users.by_ids(link.created_by for link in links)
    base = runtime.settings.base_url
    return [
        LinkOut(
            id=str(link.id),
            photo_id=str(link.photo_id),
            transformation=link.transformation,
            url=link_url(runtime, link),
            qr_url=f"{base}/api/v1/links/{link.id}/qr",
            created_by=username_of(creators.get(link.created_by)),
            created_at=link.created_at,
        )
        for link in links
    ]


def requested_transformation(data: LinkCreate) -> Transformation:
    if data.preset is not None:
        found = presets.preset(data.preset)
        if found is None:
            names = ", ".join(presets.PRESETS)
            raise InvalidInput(f"No preset named {data.preset!r}; the presets are {names}")
        return found
    # The schema's validator has already turned either request form into a Transformation.
    assert isinstance(data.transformation, Transformation)
    return data.transformation


def check_renderable(photo: Photo, transformation: Transformation) -> None:
    """Refuse (422) operations that make an image past the bounds whatever the photo's size."""
    try:
        plan(photo.width, photo.height, transformation)
    except TransformationTooLarge as exc:
        raise InvalidInput(f"The transformation is too large: {exc}") from None


async def create(runtime: Runtime, photo: Photo, user: User, data: LinkCreate) -> tuple[Link, bool]:
    """The photo's link for this transformation, and whether it was created just now."""
    assert photo.id is not None and user.id is not None
    transformation = requested_transformation(data)
    check_renderable(photo, transformation)
    text = canonical(transformation)
    existing = await Link.find_one(Link.photo_id == photo.id, Link.transformation == text)
    if existing is not None:
        return existing, False
    link = Link(photo_id=photo.id, transformation=text, slug=new_slug(), created_by=user.id)
    try:
        await link.insert()
    except DuplicateKeyError:
        # A racing request created the same link first: that one is the link.
        existing = await Link.find_one(Link.photo_id == photo.id, Link.transformation == text)
        if existing is None:
            raise
        return existing, False
    if not await collection(Photo).count_documents({"_id": photo.id}, limit=1):
        # The photo was deleted while we were creating its link.
        await collection(Link).delete_one({"_id": link.id})
        raise NotFound("No photo with this id")
    return link, True


async def for_photo(photo: Photo, limit: int, offset: int) -> tuple[list[Link], int]:
    """A page of the photo's links, oldest first."""
    query = Link.find(Link.photo_id == photo.id)
    links = await query.sort("+created_at", "+_id").skip(offset).limit(limit).to_list()
    return links, await Link.find(Link.photo_id == photo.id).count()


async def get(link_id: str) -> Link:
    link = None
    if PydanticObjectId.is_valid(link_id):
        link = await Link.get(PydanticObjectId(link_id))
    if link is None:
        raise NotFound("No link with this id")
    return link


async def delete(runtime: Runtime, link: Link, user: User) -> None:
    """Delete a link: its creator, the photo's owner or an admin may."""
    if user.id != link.created_by and user.role is not Role.admin:
        photo = await collection(Photo).find_one({"_id": link.photo_id}, {"owner_id": 1})
        if photo is None or photo["owner_id"] != user.id:
            raise NotAllowed("Only the link's creator, the photo's owner or an admin can delete it")
    await collection(Link).delete_one({"_id": link.id})
    runtime.renders.hot.forget(link.slug)


async def delete_for_photo(runtime: Runtime, photo: Photo) -> None:
    """Remove a deleted photo's links and cached renders."""
    await collection(Link).delete_many({"photo_id": photo.id})
    await runtime.renders.drop(photo.content_hash)


@dataclass(frozen=True)
class RenderedFile:
    """A render on disk, too large to hold in memory: served from the file."""

    path: Path
    # One of an f_auto link's variants, chosen by the Accept header.
    varies: bool = False


@dataclass(frozen=True)
class TransformedElsewhere:
    """The storage backend serves the transformed image itself, at this URL."""

    url: str


# What a link's public URL shows: a render in memory (bytes, type, ETag), one on disk,
# or a redirect to the backend that transforms images itself.
LinkImage = ServedRender | RenderedFile | TransformedElsewhere


async def link_image(runtime: Runtime, slug: str, accept: str | None = None) -> LinkImage:
    """The transformed image behind a link's public URL, or where the backend serves it.

    An f_auto link's image is the variant (AVIF, WebP, JPEG/PNG) ``accept`` chooses.
    """
    offer = chosen_offer(accept)
    hot = runtime.renders.hot.get(slug) or runtime.renders.hot.get(slug, offer)
    if hot is not None:
        return hot
    link = await Link.find_one(Link.slug == slug) if len(slug) == SLUG_LENGTH else None
    doc = link and await collection(Photo).find_one(
        {"_id": link.photo_id},
        {"storage_key": 1, "content_hash": 1, "format": 1, "width": 1, "height": 1},
    )
    if link is None or doc is None:
        raise NotFound("This link does not exist (any more)")
    transformation = parse(link.transformation)
    key = doc["storage_key"]
    # Cloudinary chooses f_auto's format itself.
    url = runtime.storage.transformed_url(key, sdk_transformation(transformation))
    if url is not None:
        return TransformedElsewhere(url)
    source = runtime.storage.local_file(key)
    if source is None:
        raise NotFound("This link's photo is gone")
    variant = offer if transformation.negotiated else ""
    path = await _rendered(runtime, link, doc, source, transformation, offer)
    entry = await runtime.renders.hot.load(slug, path, variant)
    return entry or RenderedFile(path, varies=bool(variant))


async def _in_offered_format(
    transformation: Transformation, offer: Offer, source: Path, photo: Mapping[str, Any]
) -> Transformation:
    """An f_auto transformation in the format of the offer, other ones as they are."""
    if not transformation.negotiated:
        return transformation
    fallback: OutputFormat = "jpg"
    if offer == "fallback":
        fallback = await anyio.to_thread.run_sync(
            fallback_format, transformation, source, photo["format"]
        )
    size = plan(photo["width"], photo["height"], transformation).size
    return transformation.in_format(offered_extension(offer, size, fallback))


async def _rendered(
    runtime: Runtime,
    link: Link,
    doc: Mapping[str, Any],
    source: Path,
    transformation: Transformation,
    offer: Offer,
) -> Path:
    """The render of the link's photo, from the cache or made now."""
    try:
        transformation = await _in_offered_format(transformation, offer, source, doc)
        path, fresh = await runtime.renders.get(
            source, doc["content_hash"], transformation, doc["format"]
        )
    except (pyvips.Error, OSError) as exc:
        # The source vanished (its photo was deleted mid-render) or cannot be read.
        log.warning("render of link %s failed: %s", link.slug, exc)
        raise NotFound("This link's photo is gone") from None
    except TransformationTooLarge as exc:
        # A link made before transformations were bounded at creation.
        raise InvalidInput(f"This link's transformation is too large to render: {exc}") from None
    if fresh and not await collection(Photo).count_documents({"_id": link.photo_id}, limit=1):
        # Deleted while we rendered: leave no render of it behind.
        await runtime.renders.drop(doc["content_hash"])
        raise NotFound("This link's photo is gone")
    return path
