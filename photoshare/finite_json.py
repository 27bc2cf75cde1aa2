"""JSON request bodies hold finite numbers only: ``NaN``, ``Infinity`` and ``1e400`` are 422.

Python's ``json`` accepts these, so FastAPI would hand NaN to the models, the database and
the error echo, none of which can carry it. The middleware checks a JSON body as the app
reads it (a second parse, with hooks, about as fast as FastAPI's own: see
``scripts/bench_input.py``) and, when a number is not finite, raises the
``JSONDecodeError`` that FastAPI turns into its usual 422 (``json_invalid``) with the
position of the number. Bodies that are not JSON at all are left to FastAPI, which
answers them as before.
"""

from __future__ import annotations

import json
import math
import re

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Strings are skipped whole (possessively, so a broken body cannot make this slow).
_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+"|-?Infinity|NaN|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?')


_RULE = "is not a finite number; JSON numbers must fit a double"


class _NotFinite(ValueError):
    pass


def _finite(token: str) -> str:
    if not math.isfinite(float(token)):
        raise _NotFinite(token)
    return token


def _refuse(token: str) -> None:
    raise _NotFinite(token)


def non_finite_number(body: bytes) -> json.JSONDecodeError | None:
    """The error to answer when ``body`` is JSON holding a number that is not finite."""
    try:
        json.loads(body, parse_constant=_refuse, parse_float=_finite, parse_int=_finite)
    except _NotFinite:
        pass
    except ValueError:  # not JSON, or not UTF-8: FastAPI's own answer stands
        return None
    else:
        return None
    text = body.decode(json.detect_encoding(body))
    for match in _TOKEN.finditer(text):
        token = match.group()
        if not token.startswith('"') and not math.isfinite(float(token)):
            return json.JSONDecodeError(f"{token[:24]} {_RULE}", text, match.start())
    return json.JSONDecodeError(f"a number {_RULE}", text, 0)


def _is_json(scope: Scope) -> bool:
    """Whether FastAPI would read this body as JSON (no content type, or a JSON one)."""
    content_type = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
    return not content_type or content_type == "application/json" or content_type.endswith("+json")


class FiniteJsonNumbers:
    """ASGI middleware: a JSON body with a non-finite number fails as FastAPI reads it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def checked_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    error = non_finite_number(b"".join(chunks))
                    chunks.clear()
                    # Raised inside FastAPI's body parsing, so it answers its own 422.
                    if error is not None:
                        raise error
            return message

        await self.app(scope, checked_receive, send)
