"""Keyword terms: the lower-cased words of a photo's description and tag names."""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Lower-cased whole words of ``text``, each once, in order."""
    return list(dict.fromkeys(_WORD.findall(text.lower())))


def search_terms(description: str, tags: Iterable[str]) -> list[str]:
    """The terms a photo is found by."""
    return words(" ".join([description, *tags]))
