"""Photo search: keyword terms kept on each photo, and the filter and sort of a query.

Keywords are matched against ``search_terms``, the lower-cased words of the description
and tag names plus ``tag:<name>`` for each tag, kept up to date on create and edit. It
is an ordinary array field: indexed on a real MongoDB, and evaluated the same way by the
embedded store (which has no ``$text``). User input only ever becomes values in the
filter, never operators or patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from beanie import PydanticObjectId
from pymongo import DESCENDING

_WORD = re.compile(r"\w+")
TAG_TERM = "tag:"
MAX_TERMS = 10

Sort = Literal["newest", "oldest", "top_rated", "lowest_rated"]

_NEWEST = [("created_at", DESCENDING), ("_id", DESCENDING)]
_TOP = [("rating_average", DESCENDING), *_NEWEST]
SORTS: dict[str, list[tuple[str, int]]] = {
    "newest": _NEWEST,
    "oldest": [(field, -direction) for field, direction in _NEWEST],
    "top_rated": _TOP,
    "lowest_rated": [(field, -direction) for field, direction in _TOP],
}


def words(text: str) -> list[str]:
    """Lower-cased whole words of ``text``, each once, in order."""
    return list(dict.fromkeys(_WORD.findall(text.lower())))


def search_terms(description: str, tags: Iterable[str]) -> list[str]:
    """The terms a photo is found by: its words, and its tags."""
    tags = list(tags)
    return [*words(" ".join([description, *tags])), *(f"{TAG_TERM}{tag}" for tag in tags)]


@dataclass(frozen=True)
class Bound:
    """A date_from/date_to value: a whole day, or an exact moment."""

    moment: datetime
    whole_day: bool


def parse_bound(text: str) -> Bound:
    """An ISO date (a whole day) or datetime (naive means UTC)."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return Bound(datetime.combine(day, time.min, tzinfo=UTC), whole_day=True)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO date or datetime") from None
    return Bound(moment if moment.tzinfo else moment.replace(tzinfo=UTC), whole_day=False)


@dataclass(frozen=True)
class PhotoQuery:
    keywords: list[str]
    tag: str | None = None  # already trimmed and lower-cased, as tags are stored
    owner_id: PydanticObjectId | None = None
    min_rating: float | None = None
    date_from: Bound | None = None
    date_to: Bound | None = None
    sort: Sort = "newest"

    def filter(self) -> dict[str, Any]:
        """The MongoDB filter: equality on owner and terms, ranges on rating and date."""
        query: dict[str, Any] = {}
        if self.owner_id is not None:
            query["owner_id"] = self.owner_id
        terms = list(self.keywords)
        if self.tag:
            terms.append(f"{TAG_TERM}{self.tag}")
        if terms:
            query["search_terms"] = {"$all": terms}
        if self.min_rating is not None:
            query["rating_average"] = {"$gte": self.min_rating}
        created: dict[str, datetime] = {}
        if self.date_from is not None:
            created["$gte"] = self.date_from.moment
        if self.date_to is not None:
            if self.date_to.whole_day:
                created["$lt"] = self.date_to.moment + timedelta(days=1)
            else:
                created["$lte"] = self.date_to.moment
        if created:
            query["created_at"] = created
        return query

    def sort_keys(self) -> list[tuple[str, int]]:
        return SORTS[self.sort]
