"""User routes: your own account, public profiles, and admin controls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile

from photoshare.deps import (
    AdminUser,
    CurrentSession,
    CurrentUser,
    OptionalUser,
    Paging,
    RuntimeDep,
)
from photoshare.openapi import errors
from photoshare.photos import service as photos
from photoshare.photos.schemas import PhotoOut
from photoshare.schemas import BINARY, IMAGE_PART, Page, multipart_encoding
from photoshare.text import SINGLE_LINE
from photoshare.users import service
from photoshare.users.deps import TargetUser
from photoshare.users.schemas import Me, Profile, RoleChange, UpdateMe, UserSummary

router = APIRouter(prefix="/api/v1/users", tags=["users"])


@router.get("", summary="List accounts (admins)")
async def list_users(
    _: AdminUser,
    paging: Paging,
    q: Annotated[
        str, Query(max_length=32, description="Usernames starting with this."), SINGLE_LINE
    ] = "",
) -> Page[UserSummary]:
    """List accounts with their role and status, by username (admins)."""
    items, total = await service.search(q, paging.limit, paging.offset)
    return Page[UserSummary].of(items, total, paging)


@router.get("/me", summary="Your account")
async def read_me(user: CurrentUser) -> Me:
    """Return the logged-in user's own account, email included."""
    return await service.me(user)


@router.patch("/me", summary="Update your account", responses=errors(403, 409))
async def update_me(data: UpdateMe, session: CurrentSession, runtime: RuntimeDep) -> Me:
    """Change profile fields, username, email or (with current_password) the password."""
    return await service.me(await service.update_me(runtime, session, data))


@router.put(
    "/me/avatar", summary="Upload your avatar", openapi_extra=multipart_encoding(file=IMAGE_PART)
)
async def put_avatar(
    user: CurrentUser,
    runtime: RuntimeDep,
    file: Annotated[
        UploadFile,
        File(description="An image; it is cropped to a square.", json_schema_extra=BINARY),
    ],
) -> Me:
    """Replace your avatar with an uploaded image, cropped to a square."""
    return await service.me(await service.set_avatar(runtime, user, file))


@router.get("/{username}", summary="A public profile")
async def read_profile(target: TargetUser) -> Profile:
    """Return a user's public profile and statistics (never the email)."""
    return await service.profile(target)


@router.get("/{username}/photos", summary="A user's photos")
async def list_user_photos(
    target: TargetUser, runtime: RuntimeDep, viewer: OptionalUser, paging: Paging
) -> Page[PhotoOut]:
    """List a user's photos, newest first: the profile's gallery."""
    items, total = await photos.by_owner(target, paging.limit, paging.offset)
    return await photos.present_page(runtime, items, total, paging, viewer)


@router.patch("/{username}/role", summary="Change a user's role", responses=errors(409))
async def change_role(_: AdminUser, target: TargetUser, data: RoleChange) -> Profile:
    """Set a user's role; the last admin cannot be demoted."""
    return await service.profile(await service.change_role(target, data.role))


@router.post("/{username}/ban", summary="Ban a user", responses=errors(409))
async def ban(admin: AdminUser, target: TargetUser, runtime: RuntimeDep) -> Profile:
    """Deactivate an account: it cannot log in and its tokens stop working."""
    return await service.profile(await service.ban(runtime, admin, target))


@router.post("/{username}/unban", summary="Unban a user")
async def unban(_: AdminUser, target: TargetUser) -> Profile:
    """Reactivate a banned account."""
    return await service.profile(await service.unban(target))
