"""Link routes: the transformation catalogue, links of a photo, QR codes, public images."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from photoshare.deps import CurrentUser, Paging, RuntimeDep
from photoshare.links import presets, qr, service
from photoshare.links.deps import ValidLink
from photoshare.links.render_cache import ServedRender
from photoshare.links.schemas import Catalogue, LinkCreate, LinkOut
from photoshare.media.responses import IMAGE_RESPONSES, bytes_response, file_response
from photoshare.openapi import errors
from photoshare.photos.deps import ValidPhoto
from photoshare.schemas import Page, binary_content

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
        200: {"model": LinkOut, "description": "The existing link for this transformation"},
        **errors(422),
    },
)
async def create_link(
    user: CurrentUser, photo: ValidPhoto, data: LinkCreate, runtime: RuntimeDep, response: Response
) -> LinkOut:
    """Create a link to the transformed photo, or return the existing one (200)."""
    link, created = await service.create(runtime, photo, user, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    [out] = await service.present(runtime, [link])
    return out


@router.get("/api/v1/photos/{photo_id}/links", summary="A photo's share links")
async def list_links(photo: ValidPhoto, runtime: RuntimeDep, paging: Paging) -> Page[LinkOut]:
    """List the photo's links, oldest first."""
    links, total = await service.for_photo(photo, paging.limit, paging.offset)
    items = await service.present(runtime, links)
    return Page[LinkOut].of(items, total, paging)


@router.get("/api/v1/links/{link_id}", summary="A share link")
async def get_link(link: ValidLink, runtime: RuntimeDep) -> LinkOut:
    """Return one link."""
    [out] = await service.present(runtime, [link])
    return out


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


@router.get(
    "/s/{slug}",
    summary="The transformed image of a link",
    response_class=Response,
    responses={**IMAGE_RESPONSES, 302: {"description": "Redirect to the CDN"}, **errors(422)},
)
async def link_image(
    slug: Annotated[str, Path(max_length=32)],
    runtime: RuntimeDep,
    request: Request,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Show the link's transformed image to anyone (this is Link.url).

    An f_auto link answers AVIF, WebP or JPEG/PNG by the request's Accept header.
    """
    # Read from the request: OpenAPI ignores a header parameter named Accept.
    accept = request.headers.get("accept")
    match await service.link_image(runtime, slug, accept):
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
