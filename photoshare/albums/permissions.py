"""Who may see and who may change an album: the rules the dependencies enforce.

The same functions answer ``can_edit``/``can_delete`` in responses.
"""

from __future__ import annotations

from photoshare.albums.models import Album, Visibility
from photoshare.users.models import Role, User


def may_change_album(user: User | None, album: Album) -> bool:
    """Whether ``user`` may edit, fill or delete ``album``: its owner or an admin."""
    return user is not None and (user.id == album.owner_id or user.role is Role.admin)


def may_see_album(user: User | None, album: Album) -> bool:
    """Whether ``user`` may read ``album``: anyone unless private, then its owner or an admin."""
    return album.visibility is not Visibility.private or may_change_album(user, album)


def may_list_all_of(user: User | None, owner: User) -> bool:
    """Whether ``user`` sees every album of ``owner`` in lists, not only the public ones."""
    return user is not None and (user.id == owner.id or user.role is Role.admin)
