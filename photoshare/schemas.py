"""Shapes shared by every domain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel

T = TypeVar("T")

# The OpenAPI schema of a file field or an image response: bytes, as generated clients expect.
BINARY: dict[str, Any] = {"type": "string", "format": "binary"}


def binary_content(*content_types: str) -> dict[str, Any]:
    """The OpenAPI ``content`` of a response that is a file in one of these types."""
    return {content_type: {"schema": BINARY} for content_type in content_types}


# Multipart encodings: an uploaded image (its type is read from its bytes), a list sent
# as the same field repeated.
IMAGE_PART: dict[str, Any] = {"contentType": "image/*"}
REPEATED_FIELD: dict[str, Any] = {"style": "form", "explode": True}


def multipart_encoding(**fields: dict[str, Any]) -> dict[str, Any]:
    """The ``openapi_extra`` of a route's multipart form: how each field is sent."""
    return {"requestBody": {"content": {"multipart/form-data": {"encoding": fields}}}}


@dataclass(frozen=True)
class Pagination:
    """The ``limit`` and ``offset`` a list request asked for."""

    limit: int
    offset: int


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` from ``offset``, ``total`` in all."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, items: Sequence[T], total: int, paging: Pagination) -> Self:
        return cls(items=list(items), total=total, limit=paging.limit, offset=paging.offset)
