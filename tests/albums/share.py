"""Helpers for the album share tests: an album's link, and its page read as a browser sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.factories import Account


def path_of(url: str) -> str:
    """The path (and query) of an absolute URL, for the client of the app under test."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class PageContent(HTMLParser):
    """What an album page shows: its title, texts, images, links and any script or form."""

    title: str = ""
    texts: list[str] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)
    links: list[tuple[str, list[dict[str, str]]]] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    _open: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        values = {name: value or "" for name, value in attrs}
        if tag == "img":
            self.images.append(values)
            if self.links and "a" in self._open:
                self.links[-1][1].append(values)
            return
        if tag == "a":
            self.links.append((values.get("href", ""), []))
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] == "title":
            self.title += data
        elif self._open and self._open[-1] == "style":
            self.styles.append(data)
        elif data.strip():
            self.texts.append(" ".join(data.split()))

    @property
    def text(self) -> str:
        return " ".join(self.texts)


def read_page(html: str) -> PageContent:
    content = PageContent()
    content.feed(html)
    content.close()
    return content


async def share(
    client: httpx.AsyncClient, album_id: str, by: Account, **policy: Any
) -> dict[str, Any]:
    """A new link to the album's page, with this policy."""
    response = await client.post(
        f"/api/v1/albums/{album_id}/links", json=policy, headers=by.headers
    )
    assert response.status_code == 201, response.text
    link: dict[str, Any] = response.json()
    return link
