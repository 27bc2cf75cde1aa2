"""Shapes shared by every domain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Self, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


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
    def of(cls, items: Sequence[T], total: int, page: Pagination) -> Self:
        return cls(items=list(items), total=total, limit=page.limit, offset=page.offset)
