"""Shared dependencies and their Annotated aliases."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from fastapi.security import OAuth2PasswordBearer

from photoshare.auth import service as auth_service
from photoshare.auth.service import AuthSession
from photoshare.errors import NotAllowed, NotAuthenticated
from photoshare.runtime import IPNetwork, Runtime
from photoshare.schemas import Pagination
from photoshare.users.models import Role, User

Dependency = TypeVar("Dependency", bound=Callable[..., Any])

# Which error statuses each marked dependency can answer with (see refuses).
_REFUSALS: dict[object, frozenset[int]] = {}


def refuses(*statuses: int) -> Callable[[Dependency], Dependency]:
    """Mark a dependency that can turn a request away with these statuses.

    The OpenAPI writer (photoshare.openapi) documents them on every route that depends on
    it, directly or through other dependencies.
    """

    def mark(dependency: Dependency) -> Dependency:
        _REFUSALS[dependency] = frozenset(statuses)
        return dependency

    return mark


def refusals(dependency: object) -> frozenset[int]:
    """The statuses a dependency was marked with by :func:`refuses` (none when unmarked)."""
    return _REFUSALS.get(dependency, frozenset())


oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/login", auto_error=False, description="Log in with username or email."
)


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
BearerToken = Annotated[str | None, Depends(oauth2_scheme)]


@refuses(401)
async def get_session(runtime: RuntimeDep, token: BearerToken) -> AuthSession:
    if not token:
        raise NotAuthenticated("Log in first: send Authorization: Bearer <access token>")
    return await auth_service.authenticate(runtime, token)


CurrentSession = Annotated[AuthSession, Depends(get_session)]


async def get_current_user(session: CurrentSession) -> User:
    return session.user


CurrentUser = Annotated[User, Depends(get_current_user)]


@refuses(401)
async def get_optional_user(runtime: RuntimeDep, token: BearerToken) -> User | None:
    """The caller when a token is sent (it must be valid), else None."""
    if not token:
        return None
    return (await auth_service.authenticate(runtime, token)).user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def _require(user: User, role: Role) -> User:
    if not user.role.at_least(role):
        raise NotAllowed(f"This needs the {role.value} role")
    return user


@refuses(403)
async def get_moderator(user: CurrentUser) -> User:
    return _require(user, Role.moderator)


@refuses(403)
async def get_admin(user: CurrentUser) -> User:
    return _require(user, Role.admin)


ModeratorUser = Annotated[User, Depends(get_moderator)]
AdminUser = Annotated[User, Depends(get_admin)]


# Skipping is linear work for the database; deeper pages are refused (shared/API.md v1.1).
MAX_OFFSET = 10_000


async def get_paging(
    limit: Annotated[int, Query(ge=1, le=100, description="Items per page.")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> Pagination:
    return Pagination(limit=limit, offset=offset)


Paging = Annotated[Pagination, Depends(get_paging)]


async def client_address(request: Request, runtime: RuntimeDep) -> str:
    """The client's address: X-Forwarded-For is believed only from trusted proxies."""
    peer = request.client.host if request.client else "unknown"
    return forwarded_client(peer, request.headers.get("x-forwarded-for"), runtime.trusted_proxies)


def forwarded_client(peer: str, forwarded_for: str | None, trusted: Sequence[IPNetwork]) -> str:
    """Walk X-Forwarded-For from the right while the hop is a trusted proxy."""
    if not trusted or not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def _is_trusted(address: str, trusted: Sequence[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


ClientAddress = Annotated[str, Depends(client_address)]


async def user_agent(request: Request) -> str | None:
    """The client's User-Agent header, if it sent one."""
    return request.headers.get("user-agent") or None


UserAgent = Annotated[str | None, Depends(user_agent)]
