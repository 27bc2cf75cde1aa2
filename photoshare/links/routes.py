"""Link routes: the transformation catalogue, links of a photo, QR codes, public images."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Header, Path, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from photoshare.albums import share_page, sharing
from photoshare.deps import ClientAddress, CurrentUser, OptionalUser, Paging, RuntimeDep
from photoshare.errors import TooManyRequests
from photoshare.limits import LINKS, spend
from photoshare.links import pages, policies, presets, qr, service
from photoshare.links.deps import ValidLink
from photoshare.links.models import Link
from photoshare.links.policies import LinkRefused
from photoshare.links.proofs import PROOF_COOKIE
from photoshare.links.render_cache import ServedRender
from photoshare.links.schemas import Catalogue, LinkCreate, LinkOut
from photoshare.media.responses import IMAGE_RESPONSES, bytes_response, file_response
from photoshare.methods import is_head
from photoshare.openapi import ErrorOut, errors
from photoshare.photos.deps import ValidPhoto
from photoshare.runtime import Runtime
from photoshare.schemas import Page, binary_content
from photoshare.security import standalone_page_headers

router = APIRouter(tags=["links"])

QR_CACHE = "public, max-age=86400"


@router.get(
    "/api/v1/transformations",
    summary="The transformation catalogue",
    # Only the effect operation lists effects.
    response_model_exclude_unset=True,
)
async def transformations() -> Catalogue:
    """List every operation with its fields and bounds, and the named presets."""
    return Catalogue.model_validate(presets.catalogue())


@router.post(
    "/api/v1/photos/{photo_id}/links",
    status_code=status.HTTP_201_CREATED,
    summary="Create a share link",
    responses={
        200: {
            "model": LinkOut,
            "description": "The existing link for this transformation (requests without a policy)",
        },
        **errors(422, 429),
    },
)
async def create_link(
    user: CurrentUser, photo: ValidPhoto, data: LinkCreate, runtime: RuntimeDep, response: Response
) -> LinkOut:
    """Create a link to the transformed photo, or return the existing one (200).

    With any of expires_at, password or max_views the link is always new (201). Each
    account may create PHOTOSHARE_RATE_LIMIT_LINKS_PER_HOUR links an hour (429); returning
    an existing link does not count.
    """
    async with spend(runtime, LINKS, user) as spending:
        link, created = await service.create(runtime, photo, user, data)
        if not created:
            await spending.give_back()
            response.status_code = status.HTTP_200_OK
    [out] = await service.present(runtime, [link], user)
    return out


@router.get("/api/v1/photos/{photo_id}/links", summary="A photo's share links")
async def list_links(
    photo: ValidPhoto, runtime: RuntimeDep, paging: Paging, viewer: OptionalUser
) -> Page[LinkOut]:
    """List the photo's links, oldest first."""
    links, total = await service.for_photo(photo, paging.limit, paging.offset)
    items = await service.present(runtime, links, viewer)
    return Page[LinkOut].of(items, total, paging)


@router.get("/api/v1/links/{link_id}", summary="A share link")
async def get_link(link: ValidLink, runtime: RuntimeDep, viewer: OptionalUser) -> LinkOut:
    """Return one link (never its password)."""
    [out] = await service.present(runtime, [link], viewer)
    return out


@router.get("/api/v1/users/me/links", summary="My share links")
async def my_links(user: CurrentUser, runtime: RuntimeDep, paging: Paging) -> Page[LinkOut]:
    """List the links the caller made, newest first, with their views."""
    links, total = await service.for_creator(user, paging.limit, paging.offset)
    items = await service.present(runtime, links, user)
    return Page[LinkOut].of(items, total, paging)


@router.get(
    "/api/v1/links/{link_id}/qr",
    summary="A link's QR code",
    response_class=Response,
    responses={
        200: {
            "description": "The QR code",
            "content": binary_content(*(f.content_type for f in qr.QR_FORMATS.values())),
        }
    },
)
async def link_qr(
    link: ValidLink,
    runtime: RuntimeDep,
    format: Annotated[Literal["png", "svg"], Query(description="png (default) or svg")] = "png",
) -> Response:
    """Return a QR code that a phone scans to open the link's URL."""
    content = qr.qr_code(service.link_url(runtime, link), format)
    return Response(
        content,
        media_type=qr.QR_FORMATS[format].content_type,
        headers={"Cache-Control": QR_CACHE, "X-Content-Type-Options": "nosniff"},
    )


@router.delete(
    "/api/v1/links/{link_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a link",
    responses=errors(403),
)
async def delete_link(user: CurrentUser, link: ValidLink, runtime: RuntimeDep) -> Response:
    """Delete a link (its creator, the photo's owner or an admin)."""
    await service.delete(runtime, link, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


_GATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {
        "model": ErrorOut,
        "description": "A password link without proof (the cookie POST Link.url sets): "
        "an HTML page with the password form for browsers (Accept: text/html), else JSON",
        "content": {"text/html": {}},
    },
    410: {
        "model": ErrorOut,
        "description": "The link has expired or been viewed as many times as it allows "
        "(a short HTML page for browsers)",
        "content": {"text/html": {}},
    },
}


# Link.url answers an image, or for an album link the album's page.
_SHOWN_RESPONSES: dict[int | str, dict[str, Any]] = {
    **IMAGE_RESPONSES,
    200: {
        "description": "The transformed image; for an album link, the album's HTML page",
        "content": {**IMAGE_RESPONSES[200]["content"], "text/html": {"schema": {"type": "string"}}},
    },
}


@router.get(
    "/s/{slug}",
    summary="The transformed image of a link, or an album's page",
    response_class=Response,
    responses={
        **_SHOWN_RESPONSES,
        302: {"description": "Redirect to the CDN"},
        **_GATE_RESPONSES,
        **errors(422),
    },
)
async def link_image(
    slug: Annotated[str, Path(max_length=32)],
    runtime: RuntimeDep,
    request: Request,
    if_none_match: Annotated[str | None, Header()] = None,
    page: Annotated[
        int,
        Query(
            ge=1,
            le=share_page.MAX_PAGE,
            description=f"An album link's page of photos ({share_page.PAGE_SIZE} a page).",
        ),
    ] = 1,
) -> Response:
    """Show the link's transformed image to anyone the link's policy lets in (this is Link.url).

    An f_auto link answers AVIF, WebP or JPEG/PNG by the request's Accept header. An album
    link answers the album's page: its photos in album order, as HTML. Each answer that
    shows the image or page counts as a view; a 304 or a HEAD passes the gate but is not counted.
    """
    # Read from the request: OpenAPI ignores a header parameter named Accept.
    accept = request.headers.get("accept")
    # The password's proof is a cookie the browser keeps (set by POST Link.url), not a
    # parameter a client fills in; whatever it holds, an unproven one only means the form.
    proof = request.cookies.get(PROOF_COOKIE)
    try:
        shown, admission = await service.link_image(runtime, slug, accept, proof)
        if isinstance(shown, service.SharedAlbum):
            response = await _album_page(runtime, shown.link, page)
        else:
            response = _shown(shown, if_none_match)
        if admission.private:
            # Browsers revalidate (and so pass the gate again); shared caches keep nothing.
            response.headers["Cache-Control"] = "private, no-cache"
        # A HEAD (a link checker, a chat app's preview probe) shows nothing: not a view.
        if response.status_code != status.HTTP_304_NOT_MODIFIED and not is_head(request):
            await policies.count_view(runtime, admission)
    except LinkRefused as refused:
        return pages.refusal(refused, accept, f"{runtime.settings.base_url}/s/{slug}")
    return response


async def _album_page(runtime: Runtime, link: Link, page: int) -> Response:
    """An album link's page: no shared cache keeps it, since each view passes the gate."""
    assert link.album_id is not None
    shown = await sharing.album_page(runtime, link.album_id, page)
    headers = {
        **standalone_page_headers(shown.content_security_policy),
        "Cache-Control": "private, no-cache",
    }
    return HTMLResponse(shown.html, headers=headers)


def _shown(
    shown: ServedRender | service.RenderedFile | service.TransformedElsewhere,
    if_none_match: str | None,
) -> Response:
    match shown:
        case service.TransformedElsewhere(url=url):
            return RedirectResponse(url, status.HTTP_302_FOUND)
        case service.RenderedFile(path=path, varies=varies):
            response = file_response(path, if_none_match)
        case ServedRender() as held:
            response = bytes_response(held.content, held.media_type, held.etag, if_none_match)
            varies = held.varies
    if varies:
        # Caches keep one copy per Accept: a browser without AVIF must not get AVIF.
        response.headers["Vary"] = "Accept"
    return response


@router.post(
    "/s/{slug}",
    summary="Give a link's password",
    status_code=status.HTTP_303_SEE_OTHER,
    response_class=Response,
    responses={
        303: {"description": "Back to Link.url, with a cookie that proves the password"},
        **_GATE_RESPONSES,
        **errors(429),
    },
)
async def unlock_link(
    slug: Annotated[str, Path(max_length=32)],
    password: Annotated[str, Form(min_length=1, max_length=128)],
    runtime: RuntimeDep,
    request: Request,
    address: ClientAddress,
) -> Response:
    """Check a password link's password (form field `password`) and go back to the link.

    The cookie it sets proves the password on this link's path for 24 hours (by default).
    Wrong passwords are throttled like logins (429 with Retry-After).
    """
    url = f"{runtime.settings.base_url}/s/{slug}"
    accept = request.headers.get("accept")
    try:
        proof = await service.unlock(runtime, slug, password, address)
    except (LinkRefused, TooManyRequests) as refused:
        return pages.refusal(refused, accept, url)
    response = RedirectResponse(url, status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        PROOF_COOKIE,
        proof,
        max_age=int(runtime.link_proofs.lifetime.total_seconds()),
        path=f"/s/{slug}",
        secure=url.startswith("https://") or request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response
