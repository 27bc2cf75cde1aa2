"""Photo search: keyword terms kept on each photo, and the filter and sort of a query.

Keywords are matched against ``search_terms``, the folded words of the description
and tag names plus ``tag:<name>`` for each tag, kept up to date on create and edit. It
is an ordinary array field: indexed on a real MongoDB, and evaluated the same way by the
embedded store (which has no ``$text``). User input only ever becomes values in the
filter, never operators or patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from beanie import PydanticObjectId
from pymongo import ASCENDING, DESCENDING

from photoshare.text import fold

_WORD = re.compile(r"\w+")
TAG_TERM = "tag:"
MAX_TERMS = 10
# Distinct description words kept per photo. Each stored term is a key in four indexes and
# is rewritten with every rating; 200 covers any honest caption (a 2,000-character text of
# distinct words would otherwise store ~1,000). Words past the 200th are not searchable.
MAX_DESCRIPTION_TERMS = 200

Sort = Literal["newest", "oldest", "top_rated", "lowest_rated", "taken_newest", "taken_oldest"]

_NEWEST = [("created_at", DESCENDING), ("_id", DESCENDING)]
_TOP = [("rating_average", DESCENDING), *_NEWEST]
SORTS: dict[str, list[tuple[str, int]]] = {
    "newest": _NEWEST,
    "oldest": [(field, -direction) for field, direction in _NEWEST],
    "top_rated": _TOP,
    "lowest_rated": [(field, -direction) for field, direction in _TOP],
    # Photos without taken_at last in both (photos.models.photo_indexes says how).
    "taken_newest": [("taken_at", DESCENDING), ("_id", DESCENDING)],
    "taken_oldest": [("taken_at_known", DESCENDING), ("taken_at", ASCENDING), ("_id", ASCENDING)],
}


def words(text: str) -> list[str]:
    """Folded whole words of ``text`` (NFKC, case folded), each once, in order."""
    return list(dict.fromkeys(_WORD.findall(fold(text))))


def search_terms(description: str, tags: Iterable[str]) -> list[str]:
    """The terms a photo is found by: its first description words, its tags' words, its tags."""
    tags = list(tags)
    found = dict.fromkeys([*words(description)[:MAX_DESCRIPTION_TERMS], *words(" ".join(tags))])
    return [*found, *(f"{TAG_TERM}{tag}" for tag in tags)]


DATE_HELP = (
    "ISO date (the whole day) or datetime (naive means UTC); inclusive; "
    "from 0001-01-02 to 9999-12-30."
)
# A day short of each end of the calendar: any offset (-12..+14 h) and a whole day's
# inclusive end stay inside what dates can express.
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 31, tzinfo=UTC)
_OUT_OF_RANGE = "dates are accepted from 0001-01-02 to 9999-12-30"


def parse_bound(text: str, *, end_of_day: bool) -> datetime:
    """An ISO date or datetime as a UTC moment; a date means its first or last instant."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.max if end_of_day else time.min, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO date or datetime") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{text!r} is out of range: {_OUT_OF_RANGE}") from None
    if not _EARLIEST <= moment < _LATEST:
        raise ValueError(f"{text!r} is out of range: {_OUT_OF_RANGE}")
    return moment


@dataclass(frozen=True)
class PhotoQuery:
    keywords: list[str]
    tag: str | None = None  # already folded, as tags are stored
    owner_id: PydanticObjectId | None = None
    min_rating: float | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
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
            created["$gte"] = self.date_from
        if self.date_to is not None:
            created["$lte"] = self.date_to
        if created:
            query["created_at"] = created
        return query

    def sort_keys(self) -> list[tuple[str, int]]:
        return SORTS[self.sort]
