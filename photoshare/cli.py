"""The ``photoshare`` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from photoshare import tasks
from photoshare.config import ConfigurationError, get_settings
from photoshare.embedded import export
from photoshare.errors import PhotoShareError
from photoshare.logs import configure_logging


def _serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    host = args.host or settings.host
    port = args.port or settings.port
    if args.workers > 1 and (settings.embedded or settings.redis_url is None):
        # Each worker would have its own store: a logout or a lockout seen by one only.
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


def _create_admin(args: argparse.Namespace) -> int:
    settings = get_settings()
    password = os.environ.get("PHOTOSHARE_ADMIN_PASSWORD") or (
        getpass.getpass("Password for the new admin: ")
        if sys.stdin.isatty()
        else sys.stdin.readline().rstrip("\n")
    )
    try:
        user = asyncio.run(tasks.create_admin(settings, args.username, args.email, password))
    except (ValidationError, PhotoShareError, ConfigurationError) as exc:
        print(f"photoshare: cannot create the admin: {_reason(exc)}", file=sys.stderr)
        return 1
    print(f"created admin {user.username} <{user.email}>")
    return 0


def _demo(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.embedded:
        print(
            "photoshare: demo fills the embedded store only; unset PHOTOSHARE_MONGODB_URL",
            file=sys.stderr,
        )
        return 2
    for line in asyncio.run(tasks.demo(settings)):
        print(line)
    return 0


def _export_json(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.embedded:
        print("photoshare: export-json reads the embedded store; use mongodump", file=sys.stderr)
        return 2
    try:
        text = export.export_json(settings)
    except export.NoEmbeddedStore as exc:
        print(f"photoshare: {exc}", file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(args.output).write_text(text + "\n")
    return 0


def _check_indexes(args: argparse.Namespace) -> int:
    report = asyncio.run(tasks.check_indexes(get_settings()))
    for line in report:
        print(line)
    return 1 if any(line.startswith("MISSING") for line in report) else 0


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return str(getattr(exc, "detail", exc))


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
    admin = commands.add_parser(
        "create-admin",
        help="create an admin account (password from PHOTOSHARE_ADMIN_PASSWORD, stdin or a prompt)",
    )
    admin.add_argument("--username", required=True)
    admin.add_argument("--email", required=True)
    admin.set_defaults(handler=_create_admin)
    demo = commands.add_parser("demo", help="fill the embedded store with sample data")
    demo.set_defaults(handler=_demo)
    exporter = commands.add_parser(
        "export-json",
        help="write the embedded database as Extended JSON (also while a server runs)",
    )
    exporter.add_argument("--output", default="-", help="file to write (default: stdout)")
    exporter.set_defaults(handler=_export_json)
    indexes = commands.add_parser(
        "check-indexes", help="create and verify the indexes on the configured MongoDB"
    )
    indexes.set_defaults(handler=_check_indexes)
    args = parser.parse_args(argv)
    configure_logging(get_settings())
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
