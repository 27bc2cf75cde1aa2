"""The ``photoshare`` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import ValidationError
from uvicorn.supervisors import ChangeReload

# The app and photoshare.commands are imported by the commands that run them, so that a command
# refused (the data dir is in use) answers at once.
from photoshare import datadir
from photoshare.config import ConfigurationError, Settings, get_settings
from photoshare.logs import configure_logging

APP = "photoshare.app:create_app"


class _Server(uvicorn.Server):
    """uvicorn's server, stopped gracefully by SIGHUP too (a closed terminal).

    uvicorn stops gracefully on SIGINT and SIGTERM and then raises the signal again,
    which ends the process by that signal (or a KeyboardInterrupt). Here a graceful stop
    is the end: the process exits 0, with no traceback.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        stops = [signal.SIGINT, signal.SIGTERM]
        stops += [getattr(signal, name) for name in ("SIGHUP", "SIGBREAK") if hasattr(signal, name)]
        previous = {stop: signal.signal(stop, self.handle_exit) for stop in stops}
        try:
            yield
        finally:
            for stop, handler in previous.items():
                signal.signal(stop, handler)


@contextlib.contextmanager
def _owning(settings: Settings) -> Iterator[None]:
    """Hold the embedded data dir while a command that writes it runs."""
    if not settings.embedded:
        yield  # the database is elsewhere; the data dir only holds images, shared
        return
    with datadir.holding(settings.data_dir):
        yield


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
    options: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "log_level": settings.log_level,
        # Our logging setup (plain or JSON, with request ids) applies to uvicorn's lines too.
        "log_config": None,
        # X-Forwarded-For is read by the app, from PHOTOSHARE_TRUSTED_PROXIES only.
        "proxy_headers": False,
    }
    if args.reload:
        return _serve_reloading(settings, options)
    if args.workers > 1:
        # uvicorn's process manager: SIGINT and SIGTERM stop the workers, SIGHUP restarts them.
        uvicorn.run(APP, workers=args.workers, **options)
        return 0
    with _owning(settings):
        server = _Server(uvicorn.Config(APP, **options))
        server.run()
    return 0 if server.started else 3


def _serve_reloading(settings: Settings, options: dict[str, Any]) -> int:
    """Serve from a child process, restarted whenever the code changes."""
    # The child serves and holds the data dir; refuse now when another process holds it.
    with _owning(settings):
        pass
    config = uvicorn.Config(APP, reload=True, **options)
    server = _Server(config)
    reloader = ChangeReload(config, target=server.run, sockets=[config.bind_socket()])
    if hasattr(signal, "SIGHUP"):  # a closed terminal stops the reloader as Ctrl+C does
        signal.signal(signal.SIGHUP, reloader.signal_handler)
    reloader.run()
    return 0


def _create_admin(args: argparse.Namespace) -> int:
    from photoshare import commands
    from photoshare.errors import PhotoShareError

    settings = get_settings()
    password = os.environ.get("PHOTOSHARE_ADMIN_PASSWORD") or (
        getpass.getpass("Password for the new admin: ")
        if sys.stdin.isatty()
        else sys.stdin.readline().rstrip("\n")
    )
    try:
        user = asyncio.run(commands.create_admin(settings, args.username, args.email, password))
    except (ValidationError, PhotoShareError, ConfigurationError) as exc:
        print(f"photoshare: cannot create the admin: {_reason(exc)}", file=sys.stderr)
        return 1
    print(f"created admin {user.username} <{user.email}>")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from photoshare import commands

    settings = get_settings()
    if not settings.embedded:
        print(
            "photoshare: demo fills the embedded store only; unset PHOTOSHARE_MONGODB_URL",
            file=sys.stderr,
        )
        return 2
    for line in asyncio.run(commands.demo(settings)):
        print(line)
    return 0


def _export_json(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.embedded:
        print("photoshare: export-json reads the embedded store; use mongodump", file=sys.stderr)
        return 2
    from photoshare.embedded import export

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
    from photoshare import commands

    report, as_declared = asyncio.run(commands.check_indexes(get_settings(), apply=args.apply))
    for line in report:
        print(line)
    return 0 if as_declared else 1


def _check_storage(args: argparse.Namespace) -> int:
    from photoshare import commands

    settings = get_settings()
    report, sound = asyncio.run(commands.check_storage(settings, apply=args.apply))
    for line in report:
        print(line)
    return 0 if sound else 1


def _backfill_derivatives(args: argparse.Namespace) -> int:
    from photoshare import commands

    def show(line: str) -> None:
        print(line, flush=True)

    complete = asyncio.run(commands.backfill_derivatives(get_settings(), show))
    return 0 if complete else 1


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return str(getattr(exc, "detail", exc))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="photoshare", description="PhotoShare service")
    subcommands = parser.add_subparsers(dest="command", required=True)
    serve = subcommands.add_parser("serve", help="serve the API and the album")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes")
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    serve.set_defaults(handler=_serve)
    admin = subcommands.add_parser(
        "create-admin",
        help="create an admin account (password from PHOTOSHARE_ADMIN_PASSWORD, stdin or a prompt)",
    )
    admin.add_argument("--username", required=True)
    admin.add_argument("--email", required=True)
    admin.set_defaults(handler=_create_admin)
    demo = subcommands.add_parser("demo", help="fill the embedded store with sample data")
    demo.set_defaults(handler=_demo)
    exporter = subcommands.add_parser(
        "export-json",
        help="write the embedded database as Extended JSON (also while a server runs)",
    )
    exporter.add_argument("--output", default="-", help="file to write (default: stdout)")
    exporter.set_defaults(handler=_export_json)
    indexes = subcommands.add_parser(
        "check-indexes",
        help="report indexes missing, conflicting with their declaration or extra "
        "(--apply makes them as declared)",
    )
    indexes.add_argument(
        "--apply",
        action="store_true",
        help="build new indexes, then rebuild or drop the ones they replace "
        "(refused while an embedded server runs)",
    )
    indexes.set_defaults(handler=_check_indexes)
    storage = subcommands.add_parser(
        "check-storage",
        help="report temp files and stored images nothing refers to (--apply removes them)",
    )
    storage.add_argument(
        "--apply", action="store_true", help="remove them (refused while a server runs)"
    )
    storage.set_defaults(handler=_check_storage)
    backfill = subcommands.add_parser(
        "backfill-derivatives",
        help="make the display sizes and placeholder of photos stored without them "
        "(resumable; refused while an embedded server runs)",
    )
    backfill.set_defaults(handler=_backfill_derivatives)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the photoshare command line."""
    args = _parser().parse_args(argv)
    configure_logging(get_settings())
    # Commands that write the data dir hold it (serve takes it itself): refused at once
    # when another process holds it.
    writes = args.command in {"demo", "create-admin", "backfill-derivatives"} or getattr(
        args, "apply", False
    )
    try:
        with _owning(get_settings()) if writes else contextlib.nullcontext():
            return int(args.handler(args))
    except datadir.DataDirInUse as exc:
        print(f"photoshare: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # Ctrl+C: what was under way has been undone or saved by the steps above.
        print("photoshare: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
