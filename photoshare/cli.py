"""The ``photoshare`` command."""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn

from photoshare.config import ConfigurationError, get_settings
from photoshare.logs import configure_logging


def _serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    host = args.host or settings.host
    port = args.port or settings.port
    if args.workers > 1 and settings.embedded:
        print(
            "photoshare: the embedded store lives inside one process; set "
            "PHOTOSHARE_MONGODB_URL and PHOTOSHARE_REDIS_URL to run several workers",
            file=sys.stderr,
        )
        return 2
    try:
        settings.check_production()
    except ConfigurationError as exc:
        print(f"photoshare: {exc}", file=sys.stderr)
        return 2
    # Links and QR codes point at the address we listen on unless told otherwise;
    # the environment carries it to worker processes too.
    os.environ["PHOTOSHARE_HOST"], os.environ["PHOTOSHARE_PORT"] = host, str(port)
    get_settings.cache_clear()
    uvicorn.run(
        "photoshare.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        reload=args.reload,
        log_level=settings.log_level,
        # Our logging setup (plain or JSON, with request ids) applies to uvicorn's lines too.
        log_config=None,
        # X-Forwarded-For is read by the app, from PHOTOSHARE_TRUSTED_PROXIES only.
        proxy_headers=False,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the photoshare command line."""
    parser = argparse.ArgumentParser(prog="photoshare", description="PhotoShare service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API and the album")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes")
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    serve.set_defaults(handler=_serve)
    args = parser.parse_args(argv)
    configure_logging(get_settings())
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
