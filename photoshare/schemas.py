"""Shapes shared by every domain."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` from ``offset``, ``total`` in all."""

    items: list[T]
    total: int
    limit: int
    offset: int
