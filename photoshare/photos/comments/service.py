"""Comments, embedded in their photo: each change is one atomic update."""

from __future__ import annotations

from beanie import PydanticObjectId

from photoshare.clock import utcnow
from photoshare.db import collection
from photoshare.errors import Conflict, NotAllowed, NotFound
from photoshare.photos.comments.schemas import CommentOut
from photoshare.photos.models import MAX_COMMENTS, Comment, Photo
from photoshare.photos.permissions import may_delete_comment, may_edit_comment
from photoshare.users import service as users
from photoshare.users.models import User
from photoshare.users.schemas import UserRef


async def _present(comments: list[Comment], viewer: User | None) -> list[CommentOut]:
    """The comments as the API shows them to ``viewer`` (None: anonymous)."""
    authors = await users.by_ids(comment.author_id for comment in comments)
    return [
        CommentOut(
            id=str(comment.id),
            author=UserRef.of(authors.get(comment.author_id)),
            text=comment.text,
            created_at=comment.created_at,
            updated_at=comment.updated_at,
            can_edit=may_edit_comment(viewer, comment),
            can_delete=may_delete_comment(viewer),
        )
        for comment in comments
    ]


async def add(photo: Photo, author: User, text: str) -> CommentOut:
    """Append a comment and count it, in one update."""
    assert author.id is not None
    now = utcnow()
    comment = Comment(author_id=author.id, text=text, created_at=now, updated_at=now)
    # The bound is in the filter: a photo whose array already holds the last allowed
    # comment cannot match, so parallel posts at the boundary cannot overshoot it.
    result = await collection(Photo).update_one(
        {"_id": photo.id, f"comments.{MAX_COMMENTS - 1}": {"$exists": False}},
        {"$push": {"comments": comment.model_dump()}, "$inc": {"comments_count": 1}},
    )
    if result.matched_count != 1:
        if await collection(Photo).find_one({"_id": photo.id}, {"_id": 1}) is None:
            raise NotFound("No photo with this id")
        raise Conflict(f"This photo already holds {MAX_COMMENTS:,} comments, the most it can")
    await users.count_comments_written({author.id: 1})
    [out] = await _present([comment], author)
    return out


async def page(
    photo: Photo, viewer: User | None, limit: int, offset: int
) -> tuple[list[CommentOut], int]:
    """A page of comments, oldest first, read as a slice of the embedded array."""
    doc = await collection(Photo).find_one(
        {"_id": photo.id}, {"comments": {"$slice": [offset, limit]}, "comments_count": 1}
    )
    if doc is None:
        raise NotFound("No photo with this id")
    comments = [Comment.model_validate(item) for item in doc.get("comments", [])]
    return await _present(comments, viewer), int(doc.get("comments_count", 0))


def _comment_id(comment_id: str) -> PydanticObjectId:
    if not PydanticObjectId.is_valid(comment_id):
        raise NotFound("No comment with this id")
    return PydanticObjectId(comment_id)


async def _one(photo: Photo, comment_id: PydanticObjectId) -> Comment:
    doc = await collection(Photo).find_one(
        {"_id": photo.id}, {"comments": {"$elemMatch": {"id": comment_id}}}
    )
    if doc is None or not doc.get("comments"):
        raise NotFound("No comment with this id on this photo")
    comment: Comment = Comment.model_validate(doc["comments"][0])
    return comment


async def edit(photo: Photo, comment_id: str, author: User, text: str) -> CommentOut:
    """Change a comment's text; only its author may."""
    comment = await _one(photo, _comment_id(comment_id))
    if not may_edit_comment(author, comment):
        raise NotAllowed("Only the comment's author can edit it")
    comment.text, comment.updated_at = text, utcnow()
    # Authorship never changes, so the id alone names the comment the check allowed.
    result = await collection(Photo).update_one(
        {"_id": photo.id, "comments.id": comment.id},
        {"$set": {"comments.$.text": text, "comments.$.updated_at": comment.updated_at}},
    )
    if result.matched_count != 1:
        raise NotFound("No comment with this id on this photo")
    [out] = await _present([comment], author)
    return out


async def delete(photo: Photo, comment_id: str) -> None:
    """Remove a comment and uncount it, in one update (moderators and admins)."""
    cid = _comment_id(comment_id)
    before = await collection(Photo).find_one_and_update(
        {"_id": photo.id, "comments.id": cid},
        {"$pull": {"comments": {"id": cid}}, "$inc": {"comments_count": -1}},
        projection={"comments": {"$elemMatch": {"id": cid}}},
    )
    if before is None or not before.get("comments"):
        raise NotFound("No comment with this id on this photo")
    await users.count_comments_written({before["comments"][0]["author_id"]: -1})
