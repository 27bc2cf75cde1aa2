"""The short HTML pages a browser gets from a link's URL: expired or used up, and the password form.

No script at all; one small stylesheet, allowed by its hash. Everything shown is escaped.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from fastapi.responses import HTMLResponse, JSONResponse, Response

from photoshare.errors import PhotoShareError
from photoshare.links.policies import PROOF_ASKED_FOR
from photoshare.security import inline_style_source, standalone_page_headers

_STYLE = (
    "body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f4f4f5;color:#18181b}"
    "main{box-sizing:border-box;max-width:26rem;margin:12vh auto;padding:1.5rem;"
    "background:#fff;border-radius:.75rem;box-shadow:0 1px 4px #0002}"
    "h1{font-size:1.3rem;margin:0 0 .5rem}p{margin:.5rem 0;overflow-wrap:anywhere}"
    "label{display:block;margin-top:1rem;font-weight:600}"
    "input,button{box-sizing:border-box;width:100%;font:inherit;padding:.6rem;margin-top:.4rem;"
    "border:1px solid #a1a1aa;border-radius:.4rem}"
    "button{background:#18181b;color:#fff;border:0;margin-top:1rem}"
    ".error{color:#b91c1c}"
)
_STYLE_SOURCE = inline_style_source(_STYLE)


def wants_html(accept: str | None) -> bool:
    """Whether the request comes from a browser navigating (it accepts text/html)."""
    return "text/html" in (accept or "").lower()


def _policy(link_url: str) -> str:
    parts = urlsplit(link_url)
    target = f"{parts.scheme}://{parts.netloc}"
    return (
        f"default-src 'none'; style-src {_STYLE_SOURCE}; form-action 'self' {target}; "
        "base-uri 'none'; frame-ancestors 'none'"
    )


def _page(
    title: str, body: str, status_code: int, link_url: str, headers: dict[str, str]
) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)} · PhotoShare</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={
            **headers,
            **standalone_page_headers(_policy(link_url)),
            "Cache-Control": "no-store",
        },
    )


def password_form(link_url: str, message: str) -> str:
    """The form that POSTs the password to the link's URL."""
    return (
        f'<p class="error" role="alert">{escape(message)}</p>'
        f'<form method="post" action="{escape(link_url)}">'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" required maxlength="128" '
        'autocomplete="current-password" autofocus>'
        '<button type="submit">Open</button></form>'
    )


def refusal(error: PhotoShareError, accept: str | None, link_url: str) -> Response:
    """The answer to a request the link's policy turned away: HTML for browsers, else JSON."""
    headers = dict(error.headers or {})
    headers["Cache-Control"] = "no-store"
    if not wants_html(accept):
        return JSONResponse({"detail": error.detail}, error.status_code, headers=headers)
    if error.status_code == 401:
        asked = error.detail == PROOF_ASKED_FOR
        message = "Enter the password you were given to open it." if asked else error.detail
        form = password_form(link_url, message)
        return _page("This link needs a password", form, 401, link_url, headers)
    title = "This link no longer works" if error.status_code == 410 else "Not now"
    body = f"<p>{escape(error.detail)}</p><p>Ask the person who shared it for a new link.</p>"
    if error.status_code == 429:
        body = f"<p>{escape(error.detail)}</p>"
    return _page(title, body, error.status_code, link_url, headers)
