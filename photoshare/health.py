"""Liveness and readiness: what a load balancer or an orchestrator asks the service."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from photoshare.deps import RuntimeDep

router = APIRouter(tags=["service"])


async def _answers(check: Coroutine[Any, Any, bool], deadline: float) -> bool:
    """Whether a readiness check succeeds within its deadline (a stalled server is down)."""
    try:
        return await asyncio.wait_for(check, deadline)
    except TimeoutError:
        return False


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    """Answer 200 while the process is up."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness",
    responses={503: {"description": "The database or Redis is not answering"}},
)
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """Answer 200 when the database and Redis answer, else 503."""
    deadline = runtime.settings.readiness_timeout_seconds
    checks = {
        "database": await _answers(runtime.db.ping(), deadline),
        "redis": await _answers(runtime.kv.ping(), deadline),
    }
    ready = all(checks.values())
    return JSONResponse(
        {
            "status": "ok" if ready else "unavailable",
            **{k: "ok" if v else "down" for k, v in checks.items()},
        },
        status_code=200 if ready else 503,
    )
