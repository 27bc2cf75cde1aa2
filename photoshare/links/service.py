"""Share links: one per photo and canonical transformation, with a short public URL."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.to_thread
from beanie import PydanticObjectId
from pymongo.errors import OperationFailure

from photoshare.db import DuplicateKeyError, collection
from photoshare.errors import InvalidInput, NotAllowed, NotFound
from photoshare.links import permissions, policies, presets
from photoshare.links.cloudinary import sdk_transformation
from photoshare.links.models import Link
from photoshare.links.negotiation import Offer, chosen_offer, offered_extension
from photoshare.links.plan import TransformationTooLarge, plan
from photoshare.links.policies import Admission
from photoshare.links.render_cache import ServedRender
from photoshare.links.renderer import fallback_format
from photoshare.links.schemas import LinkCreate, LinkOut, LinkPolicy
from photoshare.links.transformations import OutputFormat, Transformation, canonical, parse
from photoshare.media.vips import pyvips
from photoshare.photos.models import Photo
from photoshare.runtime import Runtime
from photoshare.users import service as users
from photoshare.users.models import User
from photoshare.users.schemas import username_of

log = logging.getLogger(__name__)

SLUG_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
SLUG_LENGTH = 10


def new_slug() -> str:
    return "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_LENGTH))


def link_url(runtime: Runtime, link: Link) -> str:
    return f"{runtime.settings.base_url}/s/{link.slug}"


async def present(
    runtime: Runtime, links: Sequence[Link], viewer: User | None = None
) -> list[LinkOut]:
    creators = await users.by_ids(link.created_by for link in links)
    deletable = await permissions.deletable(links, viewer)
    base = runtime.settings.base_url
    unwritten = {link.slug: runtime.view_tally.pending(link.slug) for link in links}
    return [
        LinkOut(
            id=str(link.id),
            photo_id=_id_text(link.photo_id),
            album_id=_id_text(link.album_id),
            transformation=link.transformation,
            url=link_url(runtime, link),
            qr_url=f"{base}/api/v1/links/{link.id}/qr",
            created_by=username_of(creators.get(link.created_by)),
            created_at=link.created_at,
            expires_at=link.expires_at,
            has_password=link.password_hash is not None,
            max_views=link.max_views,
            views=link.views + unwritten[link.slug][0],
            last_viewed_at=unwritten[link.slug][1] or link.last_viewed_at,
            can_delete=link.id in deletable,
        )
        for link in links
    ]


def _id_text(value: PydanticObjectId | None) -> str | None:
    return None if value is None else str(value)


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
    """The photo's link for this transformation, and whether it was created just now.

    A request with a policy always makes a new link.
    """
    assert photo.id is not None and user.id is not None
    transformation = requested_transformation(data)
    check_renderable(photo, transformation)
    text = canonical(transformation)
    if data.has_rules:
        link = await _insert_with_policy(
            runtime, Link(photo_id=photo.id, transformation=text, slug="", created_by=user.id), data
        )
    else:
        existing = await _plain_link(photo.id, text)
        if existing is not None:
            return existing, False
        link = Link(photo_id=photo.id, transformation=text, slug=new_slug(), created_by=user.id)
        try:
            await link.insert()
        except DuplicateKeyError:
            # A racing request created the same link first: that one is the link.
            existing = await _plain_link(photo.id, text)
            if existing is None:
                raise
            return existing, False
    if not await collection(Photo).count_documents({"_id": photo.id}, limit=1):
        # The photo was deleted while we were creating its link.
        await collection(Link).delete_one({"_id": link.id})
        raise NotFound("No photo with this id")
    return link, True


async def _plain_link(photo_id: PydanticObjectId, transformation: str) -> Link | None:
    """The one policy-less link of a photo and transformation (older links lack the key)."""
    return await Link.find_one(
        Link.photo_id == photo_id,
        Link.transformation == transformation,
        Link.standalone_key == None,  # noqa: E711 (a query: matches null and missing)
    )


async def _insert_with_policy(runtime: Runtime, link: Link, policy: LinkPolicy) -> Link:
    """Store a link made apart from the one-per-transformation rule, with ``policy``."""
    link.slug = new_slug()
    link.standalone_key = link.slug
    link.expires_at = policy.expires_at
    link.max_views = policy.max_views
    if policy.password is not None:
        link.password_hash = await runtime.passwords.hash(policy.password)
    await link.insert()
    return link


async def create_for_album(
    runtime: Runtime, album_id: PydanticObjectId, user: User, policy: LinkPolicy
) -> Link:
    """A new link to an album's share page, under ``policy`` (every album link is new).

    The caller (the albums domain) has checked that the album exists and ``user`` may share it.
    """
    assert user.id is not None
    link = Link(album_id=album_id, slug="", created_by=user.id)
    return await _insert_with_policy(runtime, link, policy)


async def delete_for_album(album_id: PydanticObjectId) -> None:
    """Remove a deleted album's links."""
    await collection(Link).delete_many({"album_id": album_id})


# v1.0's unique index: one link per photo and transformation, whatever the link.
_SINGLE_LINK_INDEX = "photo_transformation_unique"


async def retire_single_link_index() -> bool:
    """Drop v1.0's unique index, which refuses policy and album links; whether it was there.

    Its v1.1 successor (with ``standalone_key``) is built before this runs, at start.
    """
    links = collection(Link)
    if _SINGLE_LINK_INDEX not in await links.index_information():
        return False
    with contextlib.suppress(OperationFailure):  # another worker dropped it first
        await links.drop_index(_SINGLE_LINK_INDEX)
    return True


async def for_creator(user: User, limit: int, offset: int) -> tuple[list[Link], int]:
    """A page of the links ``user`` made, newest first."""
    query = Link.find(Link.created_by == user.id)
    links = await query.sort("-created_at", "-_id").skip(offset).limit(limit).to_list()
    return links, await Link.find(Link.created_by == user.id).count()


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
    """Delete a link: its creator, the owner of its photo or album, or an admin may."""
    if link.id not in await permissions.deletable([link], user):
        raise NotAllowed(
            "Only the link's creator, the owner of its photo or album, or an admin can delete it"
        )
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


@dataclass(frozen=True)
class SharedAlbum:
    """An album link that passed the gate: its URL shows the album's page."""

    link: Link


# What a link's public URL shows: a render in memory (bytes, type, ETag), one on disk,
# a redirect to the backend that transforms images itself, or an album's page.
LinkImage = ServedRender | RenderedFile | TransformedElsewhere | SharedAlbum


async def link_image(
    runtime: Runtime, slug: str, accept: str | None = None, proof: str | None = None
) -> tuple[LinkImage, Admission]:
    """What a link's public URL shows, once the link's policy lets the request through.

    An f_auto link's image is the variant (AVIF, WebP or JPEG/PNG) ``accept`` chooses;
    ``proof`` is the request's password cookie. The admission is what to count the view
    against (see :func:`policies.count_view`) when the answer shows the image.
    """
    offer = chosen_offer(accept)
    # Only renders of links without a policy are found here: a gated link's are held under
    # other variants, so a gated link always reads its document and passes the gate.
    hot = runtime.renders.hot.get(slug) or runtime.renders.hot.get(slug, offer)
    if hot is not None:
        return hot, Admission(slug)
    link = await Link.find_one(Link.slug == slug) if len(slug) == SLUG_LENGTH else None
    if link is None:
        raise NotFound("This link does not exist (any more)")
    admission = policies.admit(runtime, link, proof)
    if link.photo_id is None:
        return SharedAlbum(link), admission
    return await _photo_image(runtime, link, offer), admission


async def unlock(runtime: Runtime, slug: str, password: str, client_address: str) -> str:
    """A proof (the cookie's value) that ``password`` is the link's; 401 when it is not."""
    link = await Link.find_one(Link.slug == slug) if len(slug) == SLUG_LENGTH else None
    if link is None:
        raise NotFound("This link does not exist (any more)")
    # Nothing to unlock behind an expired or used-up link: say so before any password work.
    policies.check_open(link)
    return await policies.check_password(runtime, link, password, client_address)


async def _photo_image(runtime: Runtime, link: Link, offer: Offer) -> LinkImage:
    transformation = parse(link.transformation)
    if link.has_policy:
        # Past the gate: a gated link's render may come from memory too.
        held = runtime.renders.hot.get(link.slug, _hot_variant(link, transformation, offer))
        if held is not None:
            return held
    doc = await collection(Photo).find_one(
        {"_id": link.photo_id},
        {"storage_key": 1, "content_hash": 1, "format": 1, "width": 1, "height": 1},
    )
    if doc is None:
        raise NotFound("This link does not exist (any more)")
    key = doc["storage_key"]
    # Cloudinary chooses f_auto's format itself.
    url = runtime.storage.transformed_url(key, sdk_transformation(transformation))
    if url is not None:
        return TransformedElsewhere(url)
    source = runtime.storage.local_file(key)
    if source is None:
        raise NotFound("This link's photo is gone")
    path = await _rendered(runtime, link, doc, source, transformation, offer)
    variant = _hot_variant(link, transformation, offer)
    entry = await runtime.renders.hot.load(
        link.slug, path, variant, varies=transformation.negotiated
    )
    return entry or RenderedFile(path, varies=transformation.negotiated)


# Renders of gated links are held under variants no request's offer names, so the lookup
# before the gate (by slug and offer) never finds them; only ``_photo_image`` does.
_GATED = "gated:"


def _hot_variant(link: Link, transformation: Transformation, offer: Offer) -> str:
    variant = offer if transformation.negotiated else ""
    return _GATED + variant if link.has_policy else variant


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
