"""The album page a share link shows: server-rendered HTML, no script, a strict CSP.

The page works without JavaScript and on a 390 px phone: a grid of the album's photos in
album order, each the ``preview`` display size (else ``thumb``, else the stored image)
linking to the full image. Its one stylesheet is inline, allowed by its hash; images are
allowed from the origins the page's images come from and nothing else is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from photoshare.albums.models import MAX_ALBUM_PHOTOS
from photoshare.photos.schemas import PhotoOut
from photoshare.security import inline_style_source

# Photos on one page of the album: one request stays bounded; ?page= shows the rest.
PAGE_SIZE = 200
# The last page the largest album has.
MAX_PAGE = math.ceil(MAX_ALBUM_PHOTOS / PAGE_SIZE)

_TEMPLATES = Environment(
    loader=PackageLoader("photoshare.albums", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# The page includes its stylesheet inline: the policy allows exactly this text.
_STYLESHEET = _TEMPLATES.get_template("share_page.css").render()
_STYLE_SOURCE = inline_style_source(_STYLESHEET)


@dataclass(frozen=True)
class ShownPhoto:
    """One photo as the page shows it: the image to show, its size, and the full image."""

    full_url: str
    src: str
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class AlbumView:
    """What the template shows: the album, one page of its photos and where the others are."""

    title: str
    description: str
    owner: str
    photos: Sequence[ShownPhoto]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.photos) - 1

    @property
    def previous_page(self) -> int | None:
        return min(self.page - 1, self.pages) or None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


@dataclass(frozen=True)
class SharePage:
    """The rendered page and the Content-Security-Policy it needs."""

    html: str
    content_security_policy: str


def shown(photo: PhotoOut, position: int) -> ShownPhoto:
    """The photo's ``preview`` size, else its ``thumb``, else the stored image itself."""
    if photo.sizes is not None:
        size = photo.sizes.preview or photo.sizes.thumb
        src, width, height = size.url, size.width, size.height
    else:
        src, width, height = photo.url, photo.width, photo.height
    alt = photo.description.strip() or f"Photo {position}"
    return ShownPhoto(full_url=photo.url, src=src, width=width, height=height, alt=alt)


def photo_offset(page: int) -> int:
    """How many of the album's photos come before this page's."""
    return (page - 1) * PAGE_SIZE


def content_security_policy(image_urls: Sequence[str]) -> str:
    """No script, no fetches, no frames: this stylesheet, and images from where they are."""
    origins = sorted({_origin(url) for url in image_urls} - {""})
    images = " ".join(["'self'", *origins])
    return (
        f"default-src 'none'; img-src {images}; style-src {_STYLE_SOURCE}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def render(album: AlbumView) -> SharePage:
    """The album's page as HTML (every value escaped) with its policy."""
    html = _TEMPLATES.get_template("share_page.html").render(album=album)
    return SharePage(html, content_security_policy([photo.src for photo in album.photos]))
