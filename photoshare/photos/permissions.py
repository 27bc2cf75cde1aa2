"""Who may change a photo or a comment: the rules the routes enforce.

The same functions answer ``can_edit``/``can_delete`` in responses, so a client never has to
copy these rules to know which controls to show.
"""

from __future__ import annotations

from photoshare.photos.models import Comment, Photo
from photoshare.users.models import Role, User


def may_change_photo(user: User | None, photo: Photo) -> bool:
    """Whether ``user`` may edit or delete ``photo``: its owner or an admin."""
    return user is not None and (user.id == photo.owner_id or user.role is Role.admin)


def may_edit_comment(user: User | None, comment: Comment) -> bool:
    """Whether ``user`` may change the text of ``comment``: its author only."""
    return user is not None and user.id == comment.author_id


def may_delete_comment(user: User | None) -> bool:
    """Whether ``user`` may delete comments: moderators and admins (a plain author may not)."""
    return user is not None and user.role.at_least(Role.moderator)
