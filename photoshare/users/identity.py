"""Identity rules: what makes two usernames or emails the same account."""

from __future__ import annotations

from photoshare.db import DuplicateKeyError
from photoshare.errors import duplicate_key_fields
from photoshare.text import fold


def account_key(name: str) -> str:
    """The key usernames and emails are unique by: folded (NFKC, case) and trimmed."""
    return fold(name).strip()


def duplicate_field(error: DuplicateKeyError) -> str:
    """Which account field a signup or profile change clashed on: "username" or "email"."""
    # The index's keyPattern, never the message: it quotes the clashing value too.
    return "email" if "email_key" in duplicate_key_fields(error) else "username"
